// What the admin HTTP server answers, as a function from a request to a response: socket-free, so
// every path, method and status is tested without a network. The running process supplies the
// facts through Endpoints' callbacks.
#pragma once

#include <functional>
#include <string>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace resplit::admin {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct Readiness {
  bool ready = false;
  std::string reason;  // why not, or "ready"
};

struct ReloadOutcome {
  bool ok = false;
  std::string message;  // what changed, or the configuration errors (file:line:column)
};

struct Endpoints {
  std::function<std::string()> metrics;          // Prometheus text format 0.0.4
  std::function<Readiness()> readiness;
  std::function<std::string()> topology;         // JSON
  std::function<void()> quit;                    // orderly shutdown, after the answer is sent
  std::function<ReloadOutcome()> reload;
};

struct Handled {
  Response response;
  bool quit_after = false;  // the server calls Endpoints::quit once the response is written
};

Handled handle(const Endpoints& endpoints, const Request& request);

// A plain-text response with the given status (used for the server's own 400 answers too).
Response text_response(boost::beast::http::status status, std::string body, unsigned version = 11,
                       bool keep_alive = false);

}  // namespace resplit::admin
