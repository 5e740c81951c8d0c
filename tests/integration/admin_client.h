// Test helpers for resplit's admin endpoint: plain HTTP/1.1 requests over a RawClient, and a
// parsed /metrics scrape with exact lookups by series.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace resplit::testkit {

struct HttpResult {
  int status = 0;  // 0: no parsable answer
  std::string headers;
  std::string body;
};

// Sends `raw` as is and reads until the server closes (or `timeout`).
HttpResult http_raw(uint16_t port, const std::string& raw,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));
HttpResult http(uint16_t port, const std::string& method, const std::string& path,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A scrape: every sample by its series text as exposed (`name{a="x",b="y"}`), plus families.
class Scrape {
 public:
  explicit Scrape(const std::string& text);
  // The sample's value, or -1 when the series is missing. `labels` is the text inside the braces.
  double value(const std::string& name, const std::string& labels = "") const;
  // Sum over every series of `name` whose labels contain `filter` (e.g. `route="master"`).
  double sum(const std::string& name, const std::string& filter = "") const;
  const std::map<std::string, std::string>& types() const { return types_; }  // name -> type
  size_t samples() const { return samples_.size(); }

 private:
  std::map<std::string, double> samples_;
  std::map<std::string, std::string> types_;
};

Scrape scrape(uint16_t admin_port);

}  // namespace resplit::testkit
