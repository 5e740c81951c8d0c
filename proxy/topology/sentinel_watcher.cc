#include "proxy/topology/sentinel_watcher.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <random>

#include "proxy/base/log.h"
#include "proxy/topology/failover_hold.h"
#include "proxy/topology/resp_client.h"
#include "proxy/topology/sentinel_replies.h"
#include "proxy/topology/sentinel_vote.h"

namespace resplit::topology {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr const char* kSwitchChannel = "+switch-master";
constexpr const char* kTryFailoverChannel = "+try-failover";
constexpr Clock::duration kBackoffMin = std::chrono::milliseconds(100);
constexpr Clock::duration kBackoffMax = std::chrono::seconds(2);
// A subscription that stays quiet this long is asked for a PING; a second quiet period in a row
// means the Sentinel is gone (a paused one keeps the TCP connection open).
constexpr Clock::duration kEventIdle = std::chrono::seconds(2);

// Completion of a detached coroutine: keeps the core alive until it ends, logs what should not
// happen.
auto finished(std::shared_ptr<void> keep, std::string_view what) {
  return [keep = std::move(keep), what](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log::error("sentinel_coroutine_failed", {{"coroutine", what}, {"error", ex.what()}});
    }
  };
}

std::vector<Command> one(Command command) {
  std::vector<Command> commands;
  commands.push_back(std::move(command));
  return commands;
}

}  // namespace

class SentinelWatcher::Core : public std::enable_shared_from_this<Core> {
 public:
  using Strand = asio::strand<asio::io_context::executor_type>;

  Core(asio::io_context& io, SentinelSettings settings, MasterSink on_master,
       ReplicasSink on_replicas, HoldSink on_hold, StatusSink on_status)
      : strand_(asio::make_strand(io)),
        settings_(std::move(settings)),
        on_master_(std::move(on_master)),
        on_replicas_(std::move(on_replicas)),
        on_hold_(std::move(on_hold)),
        on_status_(std::move(on_status)),
        vote_(settings_.sentinels.size()),
        hold_(settings_.sentinels.size(), settings_.hold_limit),
        jitter_(std::random_device{}()) {
    poll_commands_.push_back({"SENTINEL", "GET-MASTER-ADDR-BY-NAME", settings_.master_name});
    poll_commands_.push_back({"SENTINEL", "MASTER", settings_.master_name});
    for (const Address& a : settings_.sentinels) {
      links_.push_back(std::make_unique<Link>(strand_, a));
    }
  }

  const Strand& strand() const { return strand_; }

  void start() {
    if (started_ || stopped_) return;
    started_ = true;
    log::info("sentinel_watch_started", {{"master_name", settings_.master_name},
                                         {"sentinels", static_cast<uint64_t>(links_.size())}});
    for (size_t i = 0; i < links_.size(); ++i) {
      asio::co_spawn(strand_, poll_loop(i), finished(shared_from_this(), "sentinel_poll"));
      asio::co_spawn(strand_, event_loop(i), finished(shared_from_this(), "sentinel_events"));
    }
  }

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    for (auto& l : links_) {
      l->poll.close();
      l->events.close();
      l->wake.cancel();
      l->event_timer.cancel();
    }
    if (on_status_) on_status_({});
  }

 private:
  struct Link {
    Link(const Strand& strand, Address a)
        : address(std::move(a)), poll(strand), events(strand), wake(strand), event_timer(strand) {}
    Address address;
    RespClient poll;    // GET-MASTER-ADDR-BY-NAME, SENTINEL MASTER, SENTINEL REPLICAS
    RespClient events;  // subscribed to +switch-master
    asio::steady_timer wake;
    asio::steady_timer event_timer;
    bool wake_pending = false;  // asked to poll again while a poll was in flight
    bool up = false;
    std::string last_error;
  };

  Clock::duration jittered(Clock::duration d) {
    std::uniform_real_distribution<double> factor(0.8, 1.2);
    return std::chrono::duration_cast<Clock::duration>(d * factor(jitter_));
  }

  // Connects and authenticates; the failure, empty on success.
  asio::awaitable<std::string> open(RespClient& client, const Address& address) {
    if (error_code ec = co_await client.connect(address, settings_.connect_timeout, settings_.tls)) {
      co_return "connect: " + ec.message();
    }
    if (settings_.password.empty()) co_return std::string();
    Command auth = {"AUTH"};
    if (!settings_.username.empty()) auth.push_back(settings_.username);
    auth.push_back(settings_.password);
    const std::vector<Command> commands = one(std::move(auth));
    std::vector<resp::OwnedReply> replies;
    if (error_code ec = co_await client.exec(commands, settings_.request_timeout, replies)) {
      co_return "AUTH: " + ec.message();
    }
    if (replies[0]->type == REDIS_REPLY_ERROR) {
      client.close();
      co_return "AUTH: " + std::string(resp::reply_text(*replies[0]));
    }
    co_return std::string();
  }

  asio::awaitable<void> sleep(asio::steady_timer& timer, Clock::duration d) {
    timer.expires_after(d);
    co_await timer.async_wait(kAwait);
  }

  // Sleeps for the poll interval unless asked to poll at once (before or during the sleep).
  asio::awaitable<void> wait_for_next_poll(Link& l) {
    if (!l.wake_pending) co_await sleep(l.wake, settings_.poll_interval);
    l.wake_pending = false;
  }

  void wake_all() {
    for (auto& l : links_) {
      l->wake_pending = true;
      l->wake.cancel();
    }
  }

  void set_down(size_t i, std::string why) {
    Link& l = *links_[i];
    if (l.up || l.last_error != why) {
      log::warn("sentinel_unreachable", {{"sentinel", l.address.to_string()}, {"error", why}});
    }
    l.up = false;
    l.last_error = std::move(why);
    record(i, SentinelAnswer{});
    const auto now = Clock::steady().now();
    if (hold_.observe(i, std::nullopt, now, now)) end_hold("sentinels_unreachable");
  }

  // Sentinel `i` reports a failover of `master` (by message or by its flags).
  void failover_seen(size_t i, const Address& master) {
    if (!vote_.trusts(master)) return;
    if (settings_.hold_limit <= Clock::duration::zero()) return;
    if (!hold_.begin(Clock::steady().now())) return;
    log::warn("sentinel_failover_started",
              {{"sentinel", links_[i]->address.to_string()}, {"master", master.to_string()}});
    on_hold_("sentinel");
    wake_all();
  }

  void end_hold(std::string_view why) {
    if (!vote_.trusted()) return;
    log::info("sentinel_failover_ended",
              {{"master", vote_.trusted()->address.to_string()}, {"reason", why}});
    on_master_(vote_.trusted()->address, "sentinel");
  }

  void record(size_t i, SentinelAnswer answer) {
    vote_.record(i, std::move(answer));
    std::optional<TrustedMaster> trusted = vote_.decide();
    report_status();
    if (!trusted) return;
    log::info("sentinel_master_trusted", {{"address", trusted->address.to_string()},
                                          {"config_epoch", trusted->epoch},
                                          {"votes", static_cast<uint64_t>(trusted->votes)},
                                          {"sentinels", static_cast<uint64_t>(vote_.sentinels())}});
    replicas_due_ = true;
    hold_.clear();
    on_master_(trusted->address, "sentinel");
  }

  // Tells the status sink when any Sentinel's state changed (a poll every interval per Sentinel
  // mostly changes nothing).
  void report_status() {
    if (!on_status_ || stopped_) return;
    SentinelStatusList now;
    now.reserve(links_.size());
    for (size_t i = 0; i < links_.size(); ++i) {
      const SentinelAnswer& a = vote_.answer(i);
      now.push_back(SentinelStatus{
          .address = links_[i]->address,
          .up = links_[i]->up,
          .master = a.master,
          .epoch = a.epoch,
          .names_trusted = vote_.trusts(a.master)});
    }
    if (now == last_status_) return;
    last_status_ = now;
    on_status_(std::move(now));
  }

  asio::awaitable<void> poll_loop(size_t i) {
    Link& l = *links_[i];
    Clock::duration backoff = kBackoffMin;
    while (!stopped_) {
      if (!l.poll.is_open()) {
        std::string why = co_await open(l.poll, l.address);
        if (stopped_) break;
        if (!why.empty()) {
          set_down(i, std::move(why));
          co_await sleep(l.wake, jittered(backoff));
          backoff = std::min(backoff * 2, kBackoffMax);
          continue;
        }
        backoff = kBackoffMin;
      }
      std::vector<resp::OwnedReply> replies;
      const auto sent = Clock::steady().now();
      error_code ec = co_await l.poll.exec(poll_commands_, settings_.request_timeout, replies);
      if (stopped_) break;
      if (ec) {
        set_down(i, "poll: " + ec.message());
        continue;
      }
      if (!l.up) log::info("sentinel_connected", {{"sentinel", l.address.to_string()}});
      l.up = true;
      l.last_error.clear();
      SentinelAnswer answer = replies.size() == 2
                                 ? parse_poll_answer(replies[0].get(), replies[1].get())
                                 : SentinelAnswer{};
      const bool names_trusted = vote_.trusts(answer.master);
      record(i, std::move(answer));
      observe_failover(i, replies, sent);
      const bool replicas_due = replicas_due_ || Clock::steady().now() >= next_replicas_at_;
      if (settings_.discover_replicas && replicas_due && names_trusted) {
        co_await fetch_replicas(l);
      }
      co_await wait_for_next_poll(l);
    }
  }

  void observe_failover(size_t i, const std::vector<resp::OwnedReply>& replies,
                        Clock::time_point sent) {
    const std::optional<Address> failing =
        parse_failover_of(replies.size() == 2 ? replies[1].get() : nullptr);
    const bool of_trusted = vote_.trusts(failing);
    if (of_trusted) failover_seen(i, *failing);
    if (hold_.observe(i, of_trusted, sent, Clock::steady().now())) end_hold("no_failover_running");
  }

  asio::awaitable<void> fetch_replicas(Link& l) {
    std::vector<resp::OwnedReply> replies;
    const std::vector<Command> list = one({"SENTINEL", "REPLICAS", settings_.master_name});
    if (co_await l.poll.exec(list, settings_.request_timeout, replies) || stopped_) co_return;
    if (replies.size() != 1 || replies[0]->type != REDIS_REPLY_ARRAY) co_return;
    std::vector<Address> replicas = parse_replica_list(replies[0].get());
    if (vote_.trusted()) std::erase(replicas, vote_.trusted()->address);
    replicas_due_ = false;
    next_replicas_at_ = Clock::steady().now() + settings_.replicas_interval;
    if (replicas == last_replicas_) co_return;
    last_replicas_ = replicas;
    on_replicas_(std::move(replicas), "sentinel");
  }

  asio::awaitable<void> event_loop(size_t i) {
    Link& l = *links_[i];
    Clock::duration backoff = kBackoffMin;
    while (!stopped_) {
      std::string why = co_await open(l.events, l.address);
      std::vector<resp::OwnedReply> replies;
      if (why.empty() && !stopped_) {
        const std::vector<Command> subscribe =
            one({"SUBSCRIBE", kSwitchChannel, kTryFailoverChannel});
        error_code ec = co_await l.events.exec(subscribe, settings_.request_timeout, replies);
        if (ec) why = "SUBSCRIBE: " + ec.message();
        if (!ec && replies[0]->type == REDIS_REPLY_ERROR) {
          why = "SUBSCRIBE: " + std::string(resp::reply_text(*replies[0]));
          l.events.close();
        }
      }
      if (stopped_) break;
      if (!why.empty()) {
        co_await sleep(l.event_timer, jittered(backoff));
        backoff = std::min(backoff * 2, kBackoffMax);
        continue;
      }
      backoff = kBackoffMin;
      log::debug("sentinel_subscribed", {{"sentinel", l.address.to_string()}});
      // A switch may have been announced while this Sentinel was not listened to.
      wake_all();
      co_await listen(i);
    }
  }

  // Reads +switch-master messages until the connection fails or stays silent through a PING.
  asio::awaitable<void> listen(size_t i) {
    Link& l = *links_[i];
    bool ping_sent = false;
    while (!stopped_) {
      resp::OwnedReply message;
      error_code ec = co_await l.events.read(kEventIdle, message);
      if (ec == asio::error::timed_out) {
        if (ping_sent) break;
        ping_sent = true;
        const std::vector<Command> ping = one({"PING"});
        if (co_await l.events.send(ping, settings_.request_timeout)) break;
        continue;
      }
      if (ec) break;
      ping_sent = false;
      if (std::optional<std::string_view> started =
              message_payload(message.get(), kTryFailoverChannel)) {
        if (auto master = parse_try_failover(*started, settings_.master_name)) {
          failover_seen(i, *master);
        }
        continue;
      }
      std::optional<std::string_view> payload = message_payload(message.get(), kSwitchChannel);
      if (!payload) continue;
      std::optional<MasterSwitch> change = parse_switch_master(*payload, settings_.master_name);
      if (!change) continue;
      log::info("sentinel_switch_master", {{"sentinel", l.address.to_string()},
                                           {"from", change->from.to_string()},
                                           {"to", change->to.to_string()}});
      // Confirmed by asking the Sentinels: the sender answers with the failover's new epoch.
      wake_all();
    }
    l.events.close();
  }

  Strand strand_;
  SentinelSettings settings_;
  MasterSink on_master_;
  ReplicasSink on_replicas_;
  HoldSink on_hold_;
  StatusSink on_status_;
  SentinelStatusList last_status_;
  std::vector<Command> poll_commands_;  // GET-MASTER-ADDR-BY-NAME and the epoch, in one write
  SentinelVote vote_;
  FailoverHold hold_;
  std::vector<std::unique_ptr<Link>> links_;
  std::minstd_rand jitter_;
  bool replicas_due_ = true;
  Clock::time_point next_replicas_at_{};
  std::vector<Address> last_replicas_;
  bool started_ = false;
  bool stopped_ = false;
};

SentinelWatcher::SentinelWatcher(asio::io_context& io, SentinelSettings settings,
                                 MasterSink on_master, ReplicasSink on_replicas, HoldSink on_hold,
                                 StatusSink on_status)
    : core_(std::make_shared<Core>(io, std::move(settings), std::move(on_master),
                                   std::move(on_replicas), std::move(on_hold),
                                   std::move(on_status))) {}

SentinelWatcher::~SentinelWatcher() { stop(); }

void SentinelWatcher::start() {
  asio::post(core_->strand(), [core = core_] { core->start(); });
}

void SentinelWatcher::stop() {
  asio::post(core_->strand(), [core = core_] { core->stop(); });
}

}  // namespace resplit::topology
