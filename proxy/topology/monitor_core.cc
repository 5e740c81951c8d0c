#include "proxy/topology/monitor_core.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "proxy/base/log.h"

namespace resplit::topology {

namespace asio = boost::asio;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

Address to_address(const config::HostPort& hp) {
  return Address{hp.host, hp.port};
}

// Completion of a detached coroutine: keeps the core alive until the coroutine ends and logs
// what should never happen.
auto finished(std::shared_ptr<MonitorCore> self, std::string_view what) {
  return [self = std::move(self), what](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("monitor_coroutine_failed", {{"coroutine", what}, {"error", ex.what()}});
    }
  };
}

}  // namespace

MonitorCore::MonitorCore(asio::io_context& io, std::shared_ptr<const config::Config> config,
                         Published<TopologySnapshot>& out, const Clock& clock,
                         std::shared_ptr<Resolver> resolver)
    : strand_(asio::make_strand(io)),
      config_(std::move(config)),
      out_(out),
      clock_(clock),
      resolver_(resolver ? std::move(resolver) : std::make_shared<SystemResolver>()),
      state_(clock, settings_from(*config_)),
      poller_settings_(poller_settings_from(*config_)),
      wake_timer_(strand_),
      round_timer_(strand_),
      dns_timer_(strand_),
      jitter_(std::random_device{}()) {}

void MonitorCore::start() {
  if (started_ || stopped_) return;
  started_ = true;
  if (config_->master) state_.set_configured_master(to_address(*config_->master));
  apply_replica_config();
  reconcile();
  publish();
  log::info("monitor_started", {{"backends", static_cast<uint64_t>(slots_.size())}});
  asio::co_spawn(strand_, round_loop(), finished(shared_from_this(), "round_loop"));
  asio::co_spawn(strand_, dns_loop(), finished(shared_from_this(), "dns_loop"));
}

void MonitorCore::stop() {
  if (stopped_) return;
  stopped_ = true;
  wake_timer_.cancel();
  round_timer_.cancel();
  dns_timer_.cancel();
  for (auto& [id, slot] : slots_) slot->poller->close();
  slots_.clear();
  log::info("monitor_stopped");
}

void MonitorCore::apply(std::shared_ptr<const config::Config> config) {
  if (stopped_) return;
  const std::shared_ptr<const config::Config> old = std::move(config_);
  config_ = std::move(config);
  state_.set_settings(settings_from(*config_));
  poller_settings_ = poller_settings_from(*config_, tls_);
  for (auto& [id, slot] : slots_) slot->poller->set_settings(poller_settings_);
  state_.set_configured_master(config_->master ? std::optional(to_address(*config_->master))
                                               : std::nullopt);
  if (old->replicas != config_->replicas) {
    if (old->replicas.discovery != config_->replicas.discovery) state_.set_replicas({}, "config");
    apply_replica_config();
    dns_timer_.cancel();  // re-resolve with the new settings now
  }
  reconcile();
  publish();
  log::info("monitor_config_applied", {{"source", config_->source}});
}

void MonitorCore::set_tls(std::shared_ptr<const net::TlsClient> tls) {
  if (stopped_) return;
  tls_ = std::move(tls);
  poller_settings_ = poller_settings_from(*config_, tls_);
  for (auto& [id, slot] : slots_) slot->poller->set_settings(poller_settings_);
}

void MonitorCore::set_master_address(const Address& address, const std::string& source) {
  if (stopped_) return;
  state_.announce_master(address, source);
  reconcile();
  publish();
  poll_now();
}

void MonitorCore::hold_writes(const std::string& source) {
  if (stopped_) return;
  state_.hold_writes(source);
  reconcile();
  publish();
}

void MonitorCore::set_replica_addresses(const std::vector<Address>& addresses,
                                        const std::string& source) {
  if (stopped_) return;
  if (config_->replicas.discovery != config::Discovery::kSentinel) {
    // Only with `discovery: sentinel` does an outside source own the replica set.
    log::warn("replica_list_ignored", {{"source", source}});
    return;
  }
  std::vector<WeightedAddress> list;
  for (const Address& a : addresses) list.push_back(WeightedAddress{a, 1});
  state_.set_replicas(list, source);
  reconcile();
  publish();
}

void MonitorCore::apply_replica_config() {
  const config::Replicas& r = config_->replicas;
  if (r.discovery != config::Discovery::kStatic) return;
  std::vector<WeightedAddress> list;
  for (size_t i = 0; i < r.addresses.size(); ++i) {
    list.push_back(
        WeightedAddress{to_address(r.addresses[i]), i < r.weights.size() ? r.weights[i] : 1u});
  }
  state_.set_replicas(list, "static");
}

Clock::duration MonitorCore::jittered_interval() {
  const Clock::duration base =
      std::max<Clock::duration>(config_->health_check.interval, std::chrono::milliseconds(10));
  std::uniform_real_distribution<double> factor(0.9, 1.1);
  return std::chrono::duration_cast<Clock::duration>(base * factor(jitter_));
}

void MonitorCore::poll_now() {
  poll_now_ = true;
  wake_timer_.cancel();
}

asio::awaitable<void> MonitorCore::round_loop() {
  auto last_start = std::chrono::steady_clock::time_point{};
  while (!stopped_) {
    // However often an immediate round is asked for (a chain of followed masters), rounds start
    // at least a quarter interval apart.
    const auto earliest = last_start + config_->health_check.interval / 4;
    if (std::chrono::steady_clock::now() < earliest) {
      wake_timer_.expires_at(earliest);
      co_await wake_timer_.async_wait(kAwait);
      continue;
    }
    last_start = std::chrono::steady_clock::now();
    const Clock::duration interval = jittered_interval();
    poll_now_ = false;
    if (start_round() > 0) {
      // Polls that take longer than this are stragglers: the round is published without them
      // and each is published on its own when it ends (a paused node only at its deadline).
      round_timer_.expires_after(config_->health_check.interval / 2);
      co_await round_timer_.async_wait(kAwait);
    }
    if (stopped_) break;
    close_round();
    if (poll_now_) continue;
    wake_timer_.expires_at(last_start + interval);
    co_await wake_timer_.async_wait(kAwait);
  }
}

size_t MonitorCore::start_round() {
  ++round_;  // from 1: round 0 marks polls outside any round
  round_open_ = true;
  pending_ = 0;
  for (auto& [id, slot] : slots_) {
    if (slot->busy) continue;
    slot->busy = true;
    ++pending_;
    asio::co_spawn(strand_, poll_one(slot, round_), finished(shared_from_this(), "poll"));
  }
  return pending_;
}

asio::awaitable<void> MonitorCore::poll_one(std::shared_ptr<Slot> slot, uint64_t round) {
  PollResult result;
  try {
    result = co_await slot->poller->poll();
  } catch (const std::exception& e) {
    result = PollResult{};
    result.error = std::string("poll: ") + e.what();
  }
  slot->busy = false;
  if (stopped_) co_return;
  const bool timed_out = result.timed_out;
  on_poll_done(slot, round, std::move(result));
  // A node that let a deadline pass (paused, overloaded) is asked again at once rather than at
  // the next round, so a request is already waiting when it wakes up and its first answer shows
  // how far behind it is before it catches up. A refused connect waits for the next round.
  auto it = slots_.find(slot->id);
  if (timed_out && !stopped_ && it != slots_.end() && it->second == slot && !slot->busy) {
    slot->busy = true;
    asio::co_spawn(strand_, poll_one(slot, 0), finished(shared_from_this(), "poll"));
  }
}

void MonitorCore::on_poll_done(const std::shared_ptr<Slot>& slot, uint64_t round,
                               PollResult result) {
  auto it = slots_.find(slot->id);
  const bool member = it != slots_.end() && it->second == slot;
  if (member) state_.record(slot->id, std::move(result));
  if (round_open_ && round == round_) {
    if (pending_ > 0 && --pending_ == 0) round_timer_.cancel();
    return;
  }
  if (member) close_round();
}

void MonitorCore::close_round() {
  round_open_ = false;
  state_.evaluate();
  reconcile();
  publish();
}

void MonitorCore::reconcile() {
  const std::vector<std::pair<BackendId, Address>> members = state_.members();
  bool added = false;
  for (const auto& [id, address] : members) {
    if (slots_.contains(id)) continue;
    auto slot = std::make_shared<Slot>();
    slot->id = id;
    slot->poller = std::make_unique<Poller>(strand_, address, poller_settings_, clock_);
    slots_.emplace(id, std::move(slot));
    added = true;
  }
  for (auto it = slots_.begin(); it != slots_.end();) {
    const bool member = std::any_of(members.begin(), members.end(),
                                    [&](const auto& m) { return m.first == it->first; });
    if (member) {
      ++it;
      continue;
    }
    it->second->poller->close();
    it = slots_.erase(it);
  }
  // A new backend (a followed master, a discovered replica) is polled without waiting a round.
  if (added && started_) poll_now();
}

void MonitorCore::publish() {
  TopologySnapshot s = state_.build();
  if (published_ && published_->same_picture(s)) return;
  s.version = ++version_;
  published_ = s;
  out_.publish(std::make_shared<const TopologySnapshot>(std::move(s)));
}

asio::awaitable<void> MonitorCore::dns_loop() {
  std::vector<Address> last;
  std::shared_ptr<const config::Config> seen;
  while (!stopped_) {
    const std::shared_ptr<const config::Config> config = config_;
    if (config != seen) {
      last.clear();  // after a reload the replica set may have been reset: apply the answer again
      seen = config;
    }
    const config::Replicas& r = config->replicas;
    if (r.discovery == config::Discovery::kDns && r.address) {
      ResolveResult found =
          co_await resolver_->resolve(r.address->host, r.address->port, config->timeouts.connect);
      if (stopped_) break;
      if (config_ != config) continue;  // reloaded meanwhile: resolve with the new settings
      if (found.error) {
        log::warn("dns_refresh_failed",
                  {{"name", r.address->host}, {"error", found.error.message()}});
      } else if (found.addresses != last) {
        std::string list;
        std::vector<WeightedAddress> replicas;
        for (const Address& a : found.addresses) {
          list += (list.empty() ? "" : ",") + a.to_string();
          replicas.push_back(WeightedAddress{a, 1});
        }
        log::info("dns_resolved", {{"name", r.address->host}, {"addresses", list}});
        last = found.addresses;
        state_.set_replicas(replicas, "dns");
        reconcile();
        publish();
      }
    }
    dns_timer_.expires_after(r.refresh_interval);
    co_await dns_timer_.async_wait(kAwait);
  }
}

}  // namespace resplit::topology
