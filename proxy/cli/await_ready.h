// `resplit await-ready`: wait until a resplit admin endpoint answers 200, for a classic sidecar's
// postStart hook (the kubelet starts the application container only after the hook returns) in an
// image without a shell or curl.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace resplit::cli {

struct HttpUrl {
  std::string host;
  std::string port;
  std::string target;  // path and query, at least "/"
};

// "http://host[:port][/path]"; IPv6 hosts in brackets. Unset, with the reason, for anything else.
std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error);

// GETs `url` until it answers 200 or `timeout` has passed, trying again every 250ms; each try has
// its own deadline, so a server that accepts and never answers cannot hold it past `timeout`.
// Returns the exit code: 0 once ready, 1 at the deadline (with the last failure on `err`).
int await_ready(const HttpUrl& url, std::chrono::milliseconds timeout, std::ostream& err);

}  // namespace resplit::cli
