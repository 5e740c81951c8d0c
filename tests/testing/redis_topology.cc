#include "tests/testing/redis_topology.h"

#include <map>
#include <stdexcept>
#include <thread>

#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

constexpr auto kPollInterval = 20ms;
constexpr auto kQueryTimeout = 500ms;

// A flat [field, value, field, value, ...] reply (SENTINEL MASTER, each SENTINEL REPLICAS entry).
std::map<std::string, std::string> pairs_of(const Reply& reply) {
  std::map<std::string, std::string> fields;
  for (size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    fields[reply.elements[i].str] = reply.elements[i + 1].str;
  }
  return fields;
}

// Polls `state` (empty string = done) every kPollInterval until `timeout`; bounded in rounds too.
template <typename State>
::testing::AssertionResult poll_state(State state, std::chrono::milliseconds timeout,
                                      std::string_view what) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const int max_rounds = static_cast<int>(timeout / kPollInterval) + 1;
  std::string last;
  for (int round = 0; round < max_rounds; ++round) {
    last = state();
    if (last.empty()) return ::testing::AssertionSuccess();
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(kPollInterval);
  }
  return ::testing::AssertionFailure()
         << what << " not reached within " << timeout.count() << " ms: " << last;
}

}  // namespace

RedisTopology::RedisTopology(TopologyOptions options) : options_(std::move(options)) {
  master_ = std::make_unique<RedisProcess>(RedisProcessOptions{
      .name = "master",
      .args = options_.master_args,
      .tls_port = options_.tls,
      .start_timeout = options_.start_timeout});
  const std::string master_port =
      std::to_string(options_.tls ? master_->tls_port() : master_->port());
  for (size_t i = 0; i < options_.replicas; ++i) {
    std::vector<std::string> args = {"--replicaof", RedisProcess::kHost, master_port};
    args.insert(args.end(), options_.replica_args.begin(), options_.replica_args.end());
    replicas_.push_back(std::make_unique<RedisProcess>(
        RedisProcessOptions{.name = "replica" + std::to_string(i),
                            .args = std::move(args),
                            .tls_port = options_.tls,
                            .start_timeout = options_.start_timeout}));
  }
  if (options_.sentinels == 0) return;
  if (auto synced = wait_for_sync(options_.start_timeout); !synced) {
    throw std::runtime_error(synced.message());
  }
  const int quorum =
      options_.quorum > 0 ? options_.quorum : static_cast<int>(options_.sentinels / 2 + 1);
  const std::string& name = options_.master_name;
  std::vector<std::string> config = {
      "sentinel monitor " + name + " " + RedisProcess::kHost + " " + master_port + " " +
          std::to_string(quorum),
      "sentinel down-after-milliseconds " + name + " " +
          std::to_string(options_.down_after.count()),
      "sentinel failover-timeout " + name + " " + std::to_string(options_.failover_timeout.count()),
  };
  for (size_t i = 0; i < options_.sentinels; ++i) {
    std::vector<std::string> args = options_.sentinel_args;
    if (i < options_.per_sentinel_args.size()) {
      args.insert(args.end(), options_.per_sentinel_args[i].begin(),
                  options_.per_sentinel_args[i].end());
    }
    sentinels_.push_back(std::make_unique<RedisProcess>(
        RedisProcessOptions{.mode = RedisProcessOptions::Mode::kSentinel,
                            .name = "sentinel" + std::to_string(i),
                            .args = std::move(args),
                            .sentinel_config = config,
                            .start_timeout = options_.start_timeout}));
  }
}

RedisTopology::~RedisTopology() { stop(); }

std::vector<RedisProcess*> RedisTopology::processes() {
  std::vector<RedisProcess*> all;
  if (master_) all.push_back(master_.get());
  for (auto& replica : replicas_) all.push_back(replica.get());
  for (auto& sentinel : sentinels_) all.push_back(sentinel.get());
  return all;
}

void RedisTopology::stop() { RedisProcess::stop_all(processes()); }

::testing::AssertionResult RedisTopology::wait_for_sync(std::chrono::milliseconds timeout) {
  return poll_state([this] { return sync_state(); }, timeout, "replication sync");
}

::testing::AssertionResult RedisTopology::wait_for_sentinels(std::chrono::milliseconds timeout) {
  return poll_state(
      [this] {
        std::string state;
        for (auto& sentinel : sentinels_) state += sentinel_state(*sentinel);
        return state;
      },
      timeout, "Sentinel discovery");
}

uint16_t RedisTopology::sentinel_master_port(size_t i) {
  Reply r = sentinel(i).client(kQueryTimeout).command(
      {"SENTINEL", "GET-MASTER-ADDR-BY-NAME", options_.master_name});
  if (r.type != Reply::Type::kArray || r.elements.size() != 2) return 0;
  try {
    return static_cast<uint16_t>(std::stoul(r.elements[1].str));
  } catch (const std::exception&) {
    return 0;
  }
}

uint16_t RedisTopology::wait_for_master_switch(uint16_t old_port,
                                               std::chrono::milliseconds timeout,
                                               std::string* why) {
  uint16_t agreed = 0;
  auto result = poll_state(
      [&] {
        std::map<uint16_t, size_t> votes;
        std::string named;
        for (size_t i = 0; i < sentinels_.size(); ++i) {
          const uint16_t port = sentinel_master_port(i);
          named += std::to_string(port) + " ";
          if (port != 0 && port != old_port) ++votes[port];
        }
        for (const auto& [port, count] : votes) {
          if (count * 2 > sentinels_.size()) {
            agreed = port;
            return std::string();
          }
        }
        return "Sentinels name " + named;
      },
      timeout, "master switch");
  if (!result && why != nullptr) *why = result.message();
  return result ? agreed : 0;
}

RedisProcess* RedisTopology::server_on_port(uint16_t port) {
  if (master_ && master_->port() == port) return master_.get();
  for (auto& replica : replicas_) {
    if (replica->port() == port) return replica.get();
  }
  return nullptr;
}

std::string RedisTopology::sync_state() {
  auto master = master_->client(kQueryTimeout).info("replication");
  if (master["role"] != "master") return "master: role '" + master["role"] + "'";
  const std::string& master_offset = master["master_repl_offset"];
  std::string state;
  for (auto& replica : replicas_) {
    // A replica that replicates over TLS announces its TLS port to the master.
    const uint16_t announced = options_.tls ? replica->tls_port() : replica->port();
    const std::string port = "port=" + std::to_string(announced) + ",";
    bool online = false;
    for (const auto& [field, value] : master) {
      online = online || (field.starts_with("slave") && value.find(port) != std::string::npos &&
                          value.find("state=online") != std::string::npos);
    }
    auto info = replica->client(kQueryTimeout).info("replication");
    if (!online || info["master_link_status"] != "up" ||
        info["slave_repl_offset"] != master_offset) {
      state += replica->name() + ": online at master=" + (online ? "yes" : "no") +
               " link=" + info["master_link_status"] + " offset=" + info["slave_repl_offset"] +
               " (master " + master_offset + "); ";
    }
  }
  return state;
}

std::string RedisTopology::sentinel_state(RedisProcess& sentinel) {
  RedisClient client = sentinel.client(kQueryTimeout);
  auto master = pairs_of(client.command({"SENTINEL", "MASTER", options_.master_name}));
  const std::string others = std::to_string(sentinels_.size() - 1);
  const std::string replicas = std::to_string(replicas_.size());
  std::string state;
  if (master["flags"] != "master" || master["port"] != std::to_string(master_->port()) ||
      master["num-other-sentinels"] != others || master["num-slaves"] != replicas) {
    state = sentinel.name() + ": flags=" + master["flags"] + " port=" + master["port"] +
            " other sentinels=" + master["num-other-sentinels"] + "/" + others +
            " replicas=" + master["num-slaves"] + "/" + replicas + "; ";
  }
  Reply listed = client.command({"SENTINEL", "REPLICAS", options_.master_name});
  for (const Reply& entry : listed.elements) {
    auto fields = pairs_of(entry);
    if (fields["flags"] != "slave") {
      state += sentinel.name() + ": replica " + fields["name"] + " flags=" + fields["flags"] + "; ";
    }
  }
  return state;
}

}  // namespace resplit::testkit
