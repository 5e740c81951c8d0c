#include "tests/testing/resplit_process.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/testing/free_port.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {

std::string resplit_binary() {
  if (const char* env = std::getenv("RESPLIT_BINARY")) return env;
  if (const char* srcdir = std::getenv("TEST_SRCDIR")) {
    return std::string(srcdir) + "/resplit/proxy/resplit";
  }
  return "bazel-bin/proxy/resplit";
}

std::string config_for(RedisTopology& topology, const std::string& extra) {
  const bool tls = topology.options().tls;
  auto address = [tls](RedisProcess& p) { return tls ? p.tls_address() : p.address(); };
  std::vector<std::string> replicas;
  for (size_t i = 0; i < topology.replica_count(); ++i) {
    replicas.push_back(address(topology.replica(i)));
  }
  return static_config(address(topology.master()), replicas, extra);
}

std::string static_config(const std::string& master, const std::vector<std::string>& replicas,
                          const std::string& extra) {
  std::ostringstream yaml;
  yaml << "master: {address: \"" << master << "\"}\n";
  yaml << "replicas:\n  discovery: static\n  addresses:\n";
  for (const std::string& replica : replicas) yaml << "    - \"" << replica << "\"\n";
  yaml << "health_check: {interval: 100ms, timeout: 500ms, failure_threshold: 2, "
          "success_threshold: 2}\n";
  yaml << "logging: {level: info, format: text}\n";
  yaml << extra;
  return yaml.str();
}

ResplitProcess::ResplitProcess(ResplitOptions options)
    : options_(std::move(options)), dir_(std::make_unique<TempDir>("resplit-proxy")) {
  config_path_ = dir_->file("resplit.yaml");
  log_path_ = dir_->file("resplit.log");
  port_ = pick_free_port();
  if (options_.admin) {
    do {
      admin_port_ = pick_free_port();
    } while (admin_port_ == port_);
  }
  write_config(options_.config);

  std::vector<std::string> argv = {resplit_binary(), "-c", config_path_};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  child_.start(argv, log_path_, dir_->path());

  // Up means answering: PONG, or NOAUTH when clients must authenticate first.
  auto answers_ping = [](uint16_t port) {
    RedisClient c(port, std::chrono::milliseconds(200));
    if (!c.connected()) return false;
    const Reply pong = c.command({"PING"});
    return pong == Reply::status("PONG") || (pong.is_error() && pong.str.rfind("NOAUTH", 0) == 0);
  };
  const std::function<bool(uint16_t)> answers =
      options_.answers ? options_.answers : std::function<bool(uint16_t)>(answers_ping);
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  while (true) {
    // The answer must come from our child, not from a server of another test that took the port.
    if (answers(port_) && process_listens_on(child_.pid(), port_)) break;
    if (child_.exited() || std::chrono::steady_clock::now() > deadline) {
      const std::string tail = log_tail();
      child_.stop();
      throw std::runtime_error("resplit did not start on port " + std::to_string(port_) + ":\n" +
                               tail);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

ResplitProcess::~ResplitProcess() { child_.stop(); }

std::string ResplitProcess::full_config(const std::string& yaml) const {
  std::ostringstream out;
  out << "listen: {address: \"" << options_.listen_host << ":" << port_ << "\"";
  if (!options_.listen_extra.empty()) out << ", " << options_.listen_extra;
  out << "}\n";
  if (options_.admin) {
    out << "admin: {address: \"127.0.0.1:" << admin_port_ << "\"}\n";
  } else {
    out << "admin: {address: \"\"}\n";
  }
  out << yaml;
  return out.str();
}

void ResplitProcess::write_config(const std::string& yaml) {
  const std::string tmp = config_path_ + ".tmp";
  {
    std::ofstream f(tmp);
    f << full_config(yaml);
  }
  if (std::rename(tmp.c_str(), config_path_.c_str()) != 0) {
    throw std::runtime_error("cannot write " + config_path_);
  }
}

std::string ResplitProcess::log_tail(size_t lines) const {
  std::ifstream f(log_path_);
  std::vector<std::string> all;
  for (std::string line; std::getline(f, line);) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += all[i] + "\n";
  }
  return out;
}

RedisClient ResplitProcess::client(std::chrono::milliseconds timeout) const {
  return RedisClient(port_, timeout);
}

void ResplitProcess::signal(int signo) const {
  if (child_.pid() > 0) ::kill(child_.pid(), signo);
}

}  // namespace resplit::testkit
