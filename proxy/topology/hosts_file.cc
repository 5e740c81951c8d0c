#include "proxy/topology/hosts_file.h"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace resplit::topology {

namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::vector<std::string> hosts_lookup(std::string_view text, std::string_view host) {
  std::vector<std::string> found;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string ip;
    if (!(words >> ip)) continue;
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(ip, ec);
    if (ec) continue;
    for (std::string name; words >> name;) {
      if (!same_name(name, host)) continue;
      const std::string canonical = address.to_string();
      if (std::find(found.begin(), found.end(), canonical) == found.end()) {
        found.push_back(canonical);
      }
      break;
    }
  }
  return found;
}

std::optional<std::vector<std::string>> hosts_file_lookup(std::string_view host) {
  const char* path = std::getenv(kHostsFileVariable);
  if (path == nullptr || *path == '\0') return std::nullopt;
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  std::vector<std::string> found = hosts_lookup(text.str(), host);
  if (found.empty()) return std::nullopt;
  return found;
}

}  // namespace resplit::topology
