#include "tests/testing/redis_process.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include "tests/testing/free_port.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

// A port picked free may be taken before the server binds it; a few fresh picks are plenty.
constexpr int kPortAttempts = 5;
constexpr auto kPollInterval = 10ms;
constexpr auto kProbeTimeout = 200ms;

std::string tail_of(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::deque<std::string> last;
  std::string line;
  while (std::getline(in, line)) {
    last.push_back(std::move(line));
    if (last.size() > lines) last.pop_front();
  }
  std::string out;
  for (const auto& l : last) out += l + '\n';
  return out;
}

std::streamoff file_size(const std::string& path) {
  std::ifstream in(path, std::ios::ate);
  return in ? static_cast<std::streamoff>(in.tellg()) : 0;
}

// Looks only past `from`, so an earlier run's lines in the same log do not count.
bool file_contains(const std::string& path, std::streamoff from, std::string_view needle) {
  std::ifstream in(path);
  in.seekg(from);
  std::stringstream text;
  text << in.rdbuf();
  return text.str().find(needle) != std::string::npos;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended";
}

}  // namespace

std::string redis_server_path() {
  if (const char* path = std::getenv("RESPLIT_REDIS_SERVER"); path != nullptr && *path != '\0') {
    return path;
  }
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::string_view dirs(path);
    while (!dirs.empty()) {
      auto colon = dirs.find(':');
      std::string candidate(dirs.substr(0, colon));
      dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
      if (candidate.empty() || candidate.front() != '/') continue;
      candidate += "/redis-server";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  return "/usr/bin/redis-server";
}

RedisProcess::RedisProcess(RedisProcessOptions options)
    : options_(std::move(options)), dir_(std::make_unique<TempDir>("resplit-" + options_.name)) {
  launch(true);
}

RedisProcess::~RedisProcess() { stop(); }

std::string RedisProcess::tls_address() const {
  return std::string(kHost) + ':' + std::to_string(tls_port_);
}

std::string RedisProcess::address() const {
  return std::string(kHost) + ':' + std::to_string(port_);
}

std::string RedisProcess::log_path() const { return dir_->file("redis.log"); }

RedisClient RedisProcess::client(std::chrono::milliseconds timeout) const {
  return RedisClient(kHost, port_, timeout);
}

std::string RedisProcess::log_tail(size_t lines) const {
  std::string out = tail_of(log_path(), lines);
  std::string early = tail_of(dir_->file("stdout.log"), lines);
  if (!early.empty()) out += "--- stdout/stderr ---\n" + early;
  return out;
}

void RedisProcess::stop() { child_.stop(); }

void RedisProcess::stop_all(const std::vector<RedisProcess*>& servers) {
  std::vector<ChildProcess*> children;
  for (RedisProcess* server : servers) children.push_back(&server->child_);
  ChildProcess::stop_all(children);
}

void RedisProcess::kill9() { child_.kill9(); }

void RedisProcess::pause() {
  if (!child_.pause()) {
    throw std::runtime_error(options_.name + ": pid " + std::to_string(pid()) + " did not stop");
  }
}

void RedisProcess::resume() {
  if (!child_.resume()) {
    throw std::runtime_error(options_.name + ": pid " + std::to_string(pid()) +
                             " did not continue");
  }
}

void RedisProcess::restart() {
  stop();
  launch(false);
}

std::vector<std::string> RedisProcess::argv() const {
  std::vector<std::string> args = {redis_server_path()};
  if (sentinel()) args.push_back(dir_->file("sentinel.conf"));
  std::vector<std::string> fixed = {
      "--bind", kHost, "--port", std::to_string(port_), "--dir", dir_->path(),
      // Nothing is persisted: a restarted server must not load another run's data.
      "--save", "", "--appendonly", "no",
      // Replicas sync at once instead of after Redis 7's default 5 s delay.
      "--repl-diskless-sync-delay", "0",
      // DEBUG SLEEP / DIGEST for fault tests.
      "--enable-debug-command", "local", "--daemonize", "no", "--logfile", log_path(),
      // A master with lagging replicas would otherwise wait up to 10 s on SIGTERM.
      "--shutdown-timeout", "0"};
  args.insert(args.end(), fixed.begin(), fixed.end());
  if (sentinel()) args.push_back("--sentinel");
  if (tls_port_ != 0) {
    args.push_back("--tls-port");
    args.push_back(std::to_string(tls_port_));
  }
  args.insert(args.end(), options_.args.begin(), options_.args.end());
  return args;
}

void RedisProcess::write_sentinel_config() const {
  // Sentinel rewrites this file as it learns the topology, so it lives in the server's own dir.
  std::ofstream out(dir_->file("sentinel.conf"), std::ios::trunc);
  for (const auto& line : options_.sentinel_config) out << line << '\n';
  if (!out) throw std::runtime_error(options_.name + ": cannot write sentinel.conf");
}

void RedisProcess::launch(bool first) {
  // On restart a Sentinel keeps the configuration it rewrote, as a real restart would.
  if (first && sentinel()) write_sentinel_config();
  const bool fixed_port = !first || options_.port != 0;
  for (int attempt = 1; attempt <= kPortAttempts; ++attempt) {
    if (first) port_ = options_.port != 0 ? options_.port : pick_free_port();
    if (first && options_.tls_port) {
      do {
        tls_port_ = pick_free_port();
      } while (tls_port_ == port_);
    }
    const std::streamoff log_start = file_size(log_path());
    child_.start(argv(), dir_->file("stdout.log"), dir_->path());
    const pid_t started = child_.pid();
    const Outcome outcome = wait_ready(log_start);
    if (outcome == Outcome::kReady) return;
    std::string why;
    if (child_.exited()) {
      why = describe_status(child_.reap());
    } else {
      why = "not answering PING within " + std::to_string(options_.start_timeout.count()) + " ms";
      child_.kill9();
    }
    if (outcome == Outcome::kBindFailed && !fixed_port && attempt < kPortAttempts) continue;
    throw std::runtime_error(options_.name + " (pid " + std::to_string(started) + ", port " +
                             std::to_string(port_) + ", dir " + dir_->path() + ") " + why + "\n" +
                             log_tail());
  }
}

RedisProcess::Outcome RedisProcess::wait_ready(std::streamoff log_start) {
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  const std::string own_pid = std::to_string(child_.pid());
  const int max_rounds = static_cast<int>(options_.start_timeout / kPollInterval) + 1;
  for (int round = 0; round < max_rounds; ++round) {
    if (child_.exited()) {
      return file_contains(log_path(), log_start, "Address already in use") ? Outcome::kBindFailed
                                                                            : Outcome::kFailed;
    }
    RedisClient probe(kHost, port_, kProbeTimeout);
    if (probe.command({"PING"}) == Reply::status("PONG")) {
      // Another test's server may hold this port if ours lost the race to bind it.
      auto info = probe.info("server");
      if (info["process_id"] == own_pid) return Outcome::kReady;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  return Outcome::kFailed;
}

}  // namespace resplit::testkit
