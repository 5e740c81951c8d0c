#include "tests/chaos/proxy_master_log.h"

#include <boost/json.hpp>

#include "tests/integration/admin_client.h"

namespace resplit::testkit::chaos {

namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(25);
constexpr auto kRequestTimeout = std::chrono::milliseconds(500);

// The master resplit names in /topology; "" when it names none or does not answer.
std::string proxy_master(uint16_t admin_port) {
  const HttpResult answer = http(admin_port, "GET", "/topology", kRequestTimeout);
  if (answer.status != 200) return "";
  boost::system::error_code ec;
  const boost::json::value doc = boost::json::parse(answer.body, ec);
  if (ec || !doc.is_object()) return "";
  const boost::json::value* master = doc.as_object().if_contains("master");
  return master != nullptr && master->is_string() ? std::string(master->as_string()) : "";
}

}  // namespace

ProxyMasterLog::ProxyMasterLog(uint16_t admin_port)
    : admin_port_(admin_port), thread_([this] { run(); }) {}

ProxyMasterLog::~ProxyMasterLog() {
  stop_ = true;
  thread_.join();
}

void ProxyMasterLog::run() {
  std::string last;
  while (!stop_) {
    std::string master = proxy_master(admin_port_);
    const auto seen_at = Clock::now();  // the latest moment resplit can have seen it
    if (master != last) {
      std::lock_guard lock(mutex_);
      changes_.emplace_back(seen_at, master);
      last = std::move(master);
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::optional<ProxyMasterLog::Clock::time_point> ProxyMasterLog::switched_after(
    Clock::time_point since, const std::string& old_master) const {
  return first_after(since, [&](const std::string& m) { return !m.empty() && m != old_master; });
}

std::optional<ProxyMasterLog::Clock::time_point> ProxyMasterLog::first_after(
    Clock::time_point since, const std::function<bool(const std::string&)>& matches) const {
  std::lock_guard lock(mutex_);
  for (const auto& [at, master] : changes_) {
    if (at >= since && matches(master)) return at;
  }
  return std::nullopt;
}

}  // namespace resplit::testkit::chaos
