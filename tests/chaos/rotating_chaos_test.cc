// G1: rotating chaos under checker load. A master, two replicas, three Sentinels and resplit
// following them; every 20-40 s (seeded, the seed is printed) one fault from: replica SIGKILL and
// restart, replica SIGSTOP, master SIGKILL (Sentinel failover), master SIGSTOP (failover and a
// zombie that wakes up), a sleeping master (DEBUG SLEEP past the command timeout), a config
// reload. At the end the checker audits the final master: nothing invented or duplicated, order
// kept, no misdelivered reply, and every lost acknowledged write attributed to the unfenced window
// of a master fault, reported per fault. Replication is asynchronous: the old master may answer a
// write its replicas never get (as in D1). Such a write is acknowledged at most a little before
// the fault, or between the fault and the moment resplit names the new master; one acknowledged
// after that is a failure. resplit's RSS drift and fds printed.
//
// Long-running: tagged manual, run by `tests/chaos/run --long`. The duration comes from
// RESPLIT_CHAOS_MINUTES (default 30) or RESPLIT_CHAOS_SECONDS, the seed from RESPLIT_CHAOS_SEED.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "tests/chaos/battery.h"
#include "tests/chaos/proxy_master_log.h"
#include "tests/integration/sentinel_proxy_fixture.h"
#include "tests/testing/checker_client.h"
#include "tests/testing/reply.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

std::chrono::seconds run_duration() {
  if (const char* s = std::getenv("RESPLIT_CHAOS_SECONDS")) return std::chrono::seconds(std::atol(s));
  if (const char* m = std::getenv("RESPLIT_CHAOS_MINUTES")) return std::chrono::minutes(std::atol(m));
  return std::chrono::minutes(30);
}

uint64_t run_seed() {
  if (const char* s = std::getenv("RESPLIT_CHAOS_SEED")) return std::strtoull(s, nullptr, 10);
  return static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
}

enum class Fault { kReplicaKill, kReplicaStop, kMasterKill, kMasterStop, kMasterSleep, kReload };
constexpr Fault kFaults[] = {Fault::kReplicaKill, Fault::kReplicaStop, Fault::kMasterKill,
                             Fault::kMasterStop,  Fault::kMasterSleep, Fault::kReload};

const char* name_of(Fault f) {
  switch (f) {
    case Fault::kReplicaKill: return "replica SIGKILL+restart";
    case Fault::kReplicaStop: return "replica SIGSTOP 3s";
    case Fault::kMasterKill: return "master SIGKILL (failover)";
    case Fault::kMasterStop: return "master SIGSTOP 4s (failover, zombie)";
    case Fault::kMasterSleep: return "master DEBUG SLEEP 3 (command timeout 2s)";
    case Fault::kReload: return "config reload (SIGHUP)";
  }
  return "?";
}

class RotatingChaosTest : public SentinelProxyFixture {
 protected:
  // The master a majority of the Sentinels name; nullptr when they do not agree.
  RedisProcess* agreed_master() {
    std::map<uint16_t, size_t> votes;
    for (size_t i = 0; i < topology().sentinel_count(); ++i) ++votes[topology().sentinel_master_port(i)];
    for (const auto& [port, count] : votes) {
      if (port != 0 && count * 2 > topology().sentinel_count()) return topology().server_on_port(port);
    }
    return nullptr;
  }

  // A fault that can cost writes the old master acknowledged: it may lose those acknowledged from
  // a little before `at` (not yet replicated) until resplit names another master.
  struct MasterFault {
    std::string name;
    Clock::time_point at;
    std::string old_master;
    uint64_t lost = 0;
  };
  // How long before a master fault an acknowledged write may still be unreplicated: far beyond
  // loopback replication delays under this load, far below the time between faults.
  static constexpr auto kUnreplicatedLead = 1s;
  std::vector<MasterFault> master_faults_;

  // The fault whose unfenced window holds a write acknowledged at `acked`; nullptr if none.
  MasterFault* window_of(Clock::time_point acked, const ProxyMasterLog& log) {
    for (MasterFault& f : master_faults_) {
      if (acked + kUnreplicatedLead < f.at) continue;
      const auto seen = log.switched_after(f.at, f.old_master);
      if (seen.has_value() ? acked <= *seen : acked <= f.at + kUnreplicatedLead) return &f;
    }
    return nullptr;
  }

  std::vector<RedisProcess*> data_nodes() {
    std::vector<RedisProcess*> nodes = {&master()};
    for (size_t i = 0; i < topology().replica_count(); ++i) nodes.push_back(&replica(i));
    return nodes;
  }

  // Until the agreed master is up with both replicas online and caught up (bounded).
  bool settled(std::chrono::seconds deadline) {
    const auto until = Clock::now() + deadline;
    while (Clock::now() < until) {
      if (RedisProcess* m = agreed_master(); m != nullptr && m->running()) {
        auto info = m->client(500ms).info("replication");
        size_t online = 0;
        for (const auto& [field, value] : info) {
          online += field.starts_with("slave") && value.find("state=online") != std::string::npos;
        }
        if (info["role"] == "master" && online == topology().replica_count()) return true;
      }
      std::this_thread::sleep_for(200ms);
    }
    return false;
  }

  // A killed server comes back empty and as whatever it was started as: point it at the agreed
  // master at once (Sentinel would too, a few seconds later).
  void restart_as_replica(RedisProcess& node) {
    node.restart();
    if (RedisProcess* m = agreed_master(); m != nullptr && m != &node) {
      node.client().command({"REPLICAOF", "127.0.0.1", std::to_string(m->port())});
    }
  }

  RedisProcess* some_replica(std::mt19937_64& rng) {
    RedisProcess* m = agreed_master();
    std::vector<RedisProcess*> replicas;
    for (RedisProcess* n : data_nodes()) {
      if (n != m && n->running()) replicas.push_back(n);
    }
    if (replicas.empty()) return nullptr;
    return replicas[std::uniform_int_distribution<size_t>(0, replicas.size() - 1)(rng)];
  }

  void inject(Fault fault, std::mt19937_64& rng) {
    switch (fault) {
      case Fault::kReplicaKill:
        if (RedisProcess* r = some_replica(rng)) {
          r->kill9();
          std::this_thread::sleep_for(5s);
          restart_as_replica(*r);
        }
        break;
      case Fault::kReplicaStop:
        if (RedisProcess* r = some_replica(rng)) {
          r->pause();
          std::this_thread::sleep_for(3s);
          r->resume();
        }
        break;
      case Fault::kMasterKill:
        if (RedisProcess* m = agreed_master()) {
          const uint16_t old_port = m->port();
          master_faults_.push_back({name_of(fault), Clock::now(), m->address()});
          m->kill9();
          std::string why;
          if (topology().wait_for_master_switch(old_port, 60s, &why) == 0) {
            std::cout << "  no failover: " << why << "\n";
          }
          restart_as_replica(*m);
        }
        break;
      case Fault::kMasterStop:
        if (RedisProcess* m = agreed_master()) {
          master_faults_.push_back({name_of(fault), Clock::now(), m->address()});
          m->pause();
          std::this_thread::sleep_for(4s);
          m->resume();
        }
        break;
      case Fault::kMasterSleep:
        // Three seconds without an answer: Sentinel (down-after 1 s) may fail it over meanwhile.
        if (RedisProcess* m = agreed_master()) {
          master_faults_.push_back({name_of(fault), Clock::now(), m->address()});
          m->client(10s).command({"DEBUG", "SLEEP", "3"});
        }
        break;
      case Fault::kReload:
        proxy().write_config(sentinel_config());
        proxy().signal(SIGHUP);
        break;
    }
  }
};

TEST_F(RotatingChaosTest, G1_RotatingFaultsUnderCheckerLoseNothing) {
  const auto duration = run_duration();
  const uint64_t seed = run_seed();
  std::mt19937_64 rng(seed);
  std::cout << "G1 rotating chaos: " << duration.count() << " s, seed " << seed
            << " (RESPLIT_CHAOS_SEED=" << seed << " repeats the fault sequence)" << std::endl;

  CheckerOptions options{.sessions = 4, .reader_sessions = 8, .target_ops_per_second = 4000,
                         .client_timeout = 15s, .max_duration = duration + 10min,
                         .max_rounds_per_session = 1'000'000'000};
  preload_dataset(master().port(), options);
  ASSERT_TRUE(settled(30s));
  const ProcessBaseline baseline = warmed_baseline(proxy().port(), proxy().pid(), options);
  Checker checker(proxy().port(), options);
  const ProxyMasterLog proxy_master(proxy().admin_port());
  const auto start = Clock::now();
  checker.start();

  std::map<std::string, int> injected;
  int unsettled = 0;
  while (Clock::now() - start < duration) {
    const auto gap = std::chrono::seconds(std::uniform_int_distribution<int>(20, 40)(rng));
    const auto next = std::min(Clock::now() + gap, start + duration);
    std::this_thread::sleep_until(next);
    if (Clock::now() - start >= duration) break;
    const Fault fault = kFaults[std::uniform_int_distribution<size_t>(0, 5)(rng)];
    const CheckerCounts before = checker.counts();
    const auto at = seconds_since(start);
    inject(fault, rng);
    const bool ok = settled(60s);
    unsettled += !ok;
    ++injected[name_of(fault)];
    const CheckerCounts after = checker.counts();
    std::cout << "  [+" << static_cast<int>(at) << " s] " << name_of(fault) << ": "
              << after.acked - before.acked << " acked, "
              << after.indeterminate - before.indeterminate << " indeterminate, "
              << after.not_executed - before.not_executed << " not executed, "
              << after.read_errors - before.read_errors << " read errors, "
              << after.wrong_replies - before.wrong_replies << " wrong; settled " << ok
              << "; resplit RSS " << process_rss_kib(proxy().pid()) / 1024 << " MiB, fds "
              << process_fd_count(proxy().pid()) << std::endl;
  }
  checker.stop();
  ASSERT_TRUE(settled(60s)) << "the topology did not settle after the last fault";
  RedisProcess* final_master = agreed_master();
  ASSERT_NE(final_master, nullptr);

  const AuditResult audit = checker.audit(final_master->port());
  const CheckerCounts c = checker.counts();
  const double hours = seconds_since(start) / 3600.0;
  const long rss_end = process_rss_kib(proxy().pid());
  std::cout << checker.figures("G1 rotating chaos", audit, proxy().pid()) << "\n"
            << "  seed " << seed << "; " << seconds_since(start) << " s; faults:";
  for (const auto& [name, count] : injected) std::cout << " " << name << " x" << count << ";";
  std::cout << " unsettled after a fault: " << unsettled << "\n  resplit RSS " << baseline.rss_kib
            << " -> " << rss_end << " KiB (drift "
            << 100.0 * (rss_end - baseline.rss_kib) / baseline.rss_kib / std::max(hours, 1e-9)
            << " %/h), fds " << baseline.fds << " -> " << process_fd_count(proxy().pid())
            << "; alive " << process_alive(proxy().pid()) << "\n";
  uint64_t unattributed = 0;
  for (const auto& [session, seq] : audit.lost_writes) {
    const auto acked = checker.acked_at(session, seq);
    MasterFault* fault = acked.has_value() ? window_of(*acked, proxy_master) : nullptr;
    if (fault != nullptr) {
      ++fault->lost;
    } else {
      ++unattributed;
      std::cout << "  lost outside any unfenced window: " << log_entry(session, seq) << ", acked at +"
                << (acked.has_value() ? std::chrono::duration<double>(*acked - start).count() : -1)
                << " s\n";
    }
  }
  for (const MasterFault& f : master_faults_) {
    const auto seen = proxy_master.switched_after(f.at, f.old_master);
    std::cout << "  unfenced window of " << f.name << " at +"
              << std::chrono::duration<double>(f.at - start).count() << " s: resplit named the new"
              << " master after " << (seen ? std::chrono::duration<double>(*seen - f.at).count() : -1)
              << " s; acknowledged writes lost in it: " << f.lost << "\n";
  }
  for (const auto& s : c.samples) std::cout << "  sample: " << s << "\n";
  std::cout << describe(audit) << std::endl;
  EXPECT_TRUE(process_alive(proxy().pid()));
  EXPECT_EQ(c.wrong_replies, 0u);
  EXPECT_EQ(unattributed, 0u) << "acknowledged writes lost outside a master fault's unfenced window";
  EXPECT_EQ(audit.phantom, 0u);
  EXPECT_EQ(audit.duplicates, 0u);
  EXPECT_EQ(audit.order_violations, 0u);
  EXPECT_EQ(audit.foreign, 0u);
  EXPECT_GT(audit.acked, 0u);
  EXPECT_TRUE(no_leaks_after_fault(baseline, topology()));
}

}  // namespace
}  // namespace resplit::testkit::chaos
