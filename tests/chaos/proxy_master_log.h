// Which master resplit names, over time: a thread reads resplit's admin /topology every 25 ms and
// notes each change with its time, so a chaos test can tell when resplit saw a failover (the end
// of the window in which a write acknowledged by the old master may still be lost).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace resplit::testkit::chaos {

class ProxyMasterLog {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ProxyMasterLog(uint16_t admin_port);
  ~ProxyMasterLog();
  ProxyMasterLog(const ProxyMasterLog&) = delete;
  ProxyMasterLog& operator=(const ProxyMasterLog&) = delete;

  // When resplit first named a master other than `old_master` ("host:port") after `since`.
  std::optional<Clock::time_point> switched_after(Clock::time_point since,
                                                  const std::string& old_master) const;
  // When resplit's master (its "host:port", or "" for none) first matched `matches` after `since`.
  std::optional<Clock::time_point> first_after(
      Clock::time_point since, const std::function<bool(const std::string&)>& matches) const;

 private:
  void run();

  uint16_t admin_port_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::pair<Clock::time_point, std::string>> changes_;  // (seen at, master or "")
  std::thread thread_;
};

}  // namespace resplit::testkit::chaos
