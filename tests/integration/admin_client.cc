#include "tests/integration/admin_client.h"

#include <cstdlib>
#include <sstream>

#include "tests/testing/raw_client.h"

namespace resplit::testkit {

HttpResult http_raw(uint16_t port, const std::string& raw, std::chrono::milliseconds timeout) {
  HttpResult out;
  RawClient c(port);
  if (!c.connected() || !c.send(raw)) return out;
  const std::string bytes = c.read_for(timeout).bytes;
  const size_t header_end = bytes.find("\r\n\r\n");
  if (!bytes.starts_with("HTTP/1.1 ") || header_end == std::string::npos) return out;
  out.status = std::atoi(bytes.c_str() + 9);
  out.headers = bytes.substr(0, header_end);
  out.body = bytes.substr(header_end + 4);
  return out;
}

HttpResult http(uint16_t port, const std::string& method, const std::string& path,
                std::chrono::milliseconds timeout) {
  std::string raw = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (method == "POST") raw += "Content-Length: 0\r\n";
  raw += "\r\n";
  return http_raw(port, raw, timeout);
}

Scrape::Scrape(const std::string& text) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("# TYPE ")) {
      std::istringstream words(line.substr(7));
      std::string name, type;
      words >> name >> type;
      types_[name] = type;
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    if (space == std::string::npos) continue;
    samples_[line.substr(0, space)] = std::strtod(line.c_str() + space + 1, nullptr);
  }
}

double Scrape::value(const std::string& name, const std::string& labels) const {
  const auto it = samples_.find(labels.empty() ? name : name + "{" + labels + "}");
  return it == samples_.end() ? -1 : it->second;
}

double Scrape::sum(const std::string& name, const std::string& filter) const {
  double total = 0;
  for (const auto& [series, v] : samples_) {
    const bool same_name = series == name || series.starts_with(name + "{");
    if (same_name && series.find(filter) != std::string::npos) total += v;
  }
  return total;
}

Scrape scrape(uint16_t admin_port) { return Scrape(http(admin_port, "GET", "/metrics").body); }

}  // namespace resplit::testkit
