// Polls one backend: keeps a monitoring connection (AUTH, CLIENT SETNAME resplit-monitor, INFO
// server and CONFIG GET databases once per connection) and on each poll sends ROLE and INFO
// replication / persistence in one write, answered within the health-check timeout or failed.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>

#include "proxy/base/clock.h"
#include "proxy/config/config.h"
#include "proxy/topology/poll_result.h"
#include "proxy/topology/resp_client.h"

namespace resplit::topology {

struct PollerSettings {
  Clock::duration connect_timeout = std::chrono::seconds(1);
  Clock::duration request_timeout = std::chrono::seconds(1);  // health_check.timeout
  std::string username;                                       // empty: AUTH with the password alone
  std::string password;                                       // empty: no AUTH
  std::shared_ptr<const net::TlsClient> tls;                  // null: plain TCP
  friend bool operator==(const PollerSettings&, const PollerSettings&) = default;
};
PollerSettings poller_settings_from(const config::Config& config,
                                    std::shared_ptr<const net::TlsClient> tls = nullptr);

class Poller {
 public:
  static constexpr const char* kClientName = "resplit-monitor";

  Poller(boost::asio::any_io_executor executor, Address address, PollerSettings settings,
         const Clock& clock);

  // One poll; never throws. Any failure closes the connection; the next poll makes a new one.
  boost::asio::awaitable<PollResult> poll();

  // New credentials or timeouts take effect on the next connection; the current one is closed.
  void set_settings(const PollerSettings& settings);
  void close() { client_.close(); }
  const Address& address() const { return address_; }

 private:
  // Connects and runs the per-connection commands; the failure, nullopt on success.
  boost::asio::awaitable<std::optional<PollResult>> open();

  RespClient client_;
  Address address_;
  PollerSettings settings_;
  const Clock& clock_;
  std::string redis_version_;
  std::optional<uint32_t> databases_;
};

}  // namespace resplit::topology
