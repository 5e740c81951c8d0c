#include "proxy/app/control.h"

#include <csignal>

#include <boost/asio/post.hpp>

#include "proxy/base/log.h"

namespace resplit::app {

namespace asio = boost::asio;

namespace {

constexpr auto kDrainPoll = std::chrono::milliseconds(20);

// Keys read only at start; a reload keeps their running values and says so.
std::vector<std::string> restart_only_changes(const config::Config& running,
                                              config::Config& next) {
  std::vector<std::string> changed;
  if (!(running.listen.address == next.listen.address)) {
    changed.push_back("listen.address");
    next.listen.address = running.listen.address;
  }
  if (running.listen.workers != next.listen.workers) {
    changed.push_back("listen.workers");
    next.listen.workers = running.listen.workers;
  }
  if (!(running.admin.address == next.admin.address)) {
    changed.push_back("admin.address");
    next.admin.address = running.admin.address;
  }
  return changed;
}

}  // namespace

Control::Control(cli::Options options, std::shared_ptr<const config::Config> config,
                 net::TlsContexts tls)
    : options_(std::move(options)),
      shared_(config),
      server_(shared_),
      signals_(io_, SIGINT, SIGTERM, SIGHUP),
      drain_timer_(io_) {
  shared_.tls.publish(std::make_shared<const net::TlsContexts>(std::move(tls)));
}

Control::~Control() = default;

int Control::run() {
  const auto config = shared_.config.get();
  // The admin port first: it is bound before any outgoing connection could take it as a local
  // port, and /healthz answers from the start.
  try {
    start_admin();
  } catch (const std::exception& e) {
    log::error("start_failed", {{"error", e.what()}});
    return cli::kExitError;
  }
  monitor_ = std::make_unique<topology::TopologyMonitor>(io_, config, shared_.topology,
                                                         Clock::steady());
  const auto tls = shared_.tls.get();
  monitor_->set_tls(tls->client);
  monitor_->start();
  sentinel_feed_ = std::make_unique<SentinelFeed>(io_, *monitor_, sentinel_status_);
  sentinel_feed_->apply(*config, tls->client);
  try {
    server_.start();
  } catch (const std::exception& e) {
    log::error("start_failed", {{"error", e.what()}});
    if (admin_) admin_->stop();
    if (sentinel_feed_) sentinel_feed_->stop();
    monitor_->stop();
    return cli::kExitError;
  }
  if (!options_.config_path.empty()) {
    watcher_ = std::make_unique<ConfigWatcher>(io_, options_.config_path,
                                               [this] { request_reload(); });
    watcher_->watch_referenced(config::referenced_files(*shared_.config.get()));
    if (!watcher_->start()) log::warn("config_watch_unavailable", {{"path", options_.config_path}});
  }
  watch_signals();
  io_.run();
  return cli::kExitOk;
}

void Control::watch_signals() {
  signals_.async_wait([this](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    on_signal(signal);
    if (!finished_) watch_signals();
  });
}

void Control::on_signal(int signal) {
  if (signal == SIGHUP) {
    reload();
    return;
  }
  if (draining_) {
    log::warn("shutdown_now", {{"signal", signal}});
    finish();
    return;
  }
  log::info("shutdown_requested", {{"signal", signal}});
  begin_drain();
}

void Control::request_shutdown() {
  asio::post(io_, [this] {
    if (!draining_) begin_drain();
  });
}

void Control::request_reload() {
  asio::post(io_, [this] { reload(); });
}

void Control::begin_drain() {
  draining_ = true;
  shared_.draining.store(true);  // /readyz turns 503 at once
  const auto timeout = shared_.config.get()->shutdown.drain_timeout;
  drain_deadline_ = std::chrono::steady_clock::now() + timeout;
  if (watcher_) watcher_->stop();
  server_.drain();
  poll_drain();
}

void Control::poll_drain() {
  if (finished_) return;
  if (shared_.clients.load() == 0) {
    log::info("drained");
    finish();
    return;
  }
  if (std::chrono::steady_clock::now() >= drain_deadline_) {
    log::warn("drain_deadline", {{"clients_left", shared_.clients.load()}});
    finish();
    return;
  }
  drain_timer_.expires_after(kDrainPoll);
  drain_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) poll_drain();
  });
}

void Control::finish() {
  if (finished_) return;
  finished_ = true;
  if (admin_) admin_->stop();
  server_.stop();
  if (sentinel_feed_) sentinel_feed_->stop();
  if (monitor_) monitor_->stop();
  if (watcher_) watcher_->stop();
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  drain_timer_.cancel();
  io_.stop();
  log::info("stopped");
}

bool Control::reload(std::string* errors) {
  if (draining_) {
    if (errors) *errors = "shutting down";
    return false;
  }
  auto loaded = cli::effective_config(options_);
  // New certificates come with the config, all or nothing; connections open now keep theirs.
  const auto running_tls = shared_.tls.get();
  net::TlsBuild tls;
  if (loaded.ok()) {
    tls = net::build_tls(*loaded.config, running_tls.get());
    if (!tls.errors.empty()) {
      loaded.errors = std::move(tls.errors);
      loaded.config.reset();
    }
  }
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) {
      log::error("config_reload_failed", {{"error", e.to_string()}});
      if (errors) errors->append(e.to_string()).append("\n");
    }
    if (errors && !errors->empty()) errors->pop_back();
    std::lock_guard lock(reload_mutex_);
    ++reload_state_.failures;
    reload_state_.last_ok = false;
    return false;
  }
  const auto running = shared_.config.get();
  config::Config next = std::move(*loaded.config);
  const auto restart_only = restart_only_changes(*running, next);
  for (const auto& key : restart_only) {
    log::warn("config_needs_restart", {{"key", key}});
    if (errors) errors->append(key).append(" needs a restart; ");
  }
  if (next.logging.level != running->logging.level || next.logging.format != running->logging.format) {
    log::init(next.logging.level, next.logging.format);
  }
  auto published = std::make_shared<const config::Config>(std::move(next));
  auto published_tls = std::make_shared<const net::TlsContexts>(std::move(tls.contexts));
  const bool tls_changed = published_tls->server != running_tls->server ||
                           published_tls->client != running_tls->client;
  shared_.tls.publish(published_tls);
  shared_.config.publish(published);
  monitor_->set_tls(published_tls->client);
  monitor_->apply(published);
  sentinel_feed_->apply(*published, published_tls->client);
  if (tls_changed) log::info("tls_reloaded");
  if (watcher_) watcher_->watch_referenced(config::referenced_files(*published));
  {
    std::lock_guard lock(reload_mutex_);
    ++reload_state_.successes;
    reload_state_.last_ok = true;
    reload_state_.last_success = std::chrono::system_clock::now();
  }
  log::info("config_reloaded", {{"source", published->source}});
  return true;
}

Control::ReloadState Control::reload_state() const {
  std::lock_guard lock(reload_mutex_);
  return reload_state_;
}

}  // namespace resplit::app
