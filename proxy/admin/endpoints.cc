#include "proxy/admin/endpoints.h"

#include <string_view>

namespace resplit::admin {
namespace http = boost::beast::http;
namespace {

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

struct Route {
  std::string_view path;
  http::verb method;
};

constexpr Route kRoutes[] = {
    {"/metrics", http::verb::get},     {"/healthz", http::verb::get},
    {"/readyz", http::verb::get},      {"/topology", http::verb::get},
    {"/quitquitquit", http::verb::post}, {"/reload", http::verb::post},
};

}  // namespace

Response text_response(http::status status, std::string body, unsigned version, bool keep_alive) {
  Response r{status, version};
  r.set(http::field::content_type, "text/plain; charset=utf-8");
  r.set(http::field::server, "resplit");
  r.keep_alive(keep_alive);
  r.body() = std::move(body);
  r.prepare_payload();
  return r;
}

Handled handle(const Endpoints& e, const Request& request) {
  std::string_view target(request.target().data(), request.target().size());
  target = target.substr(0, target.find('?'));  // query strings are accepted and ignored
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  Handled out;

  const Route* route = nullptr;
  for (const Route& r : kRoutes) {
    if (r.path == target) route = &r;
  }
  if (route == nullptr) {
    out.response = text_response(http::status::not_found, "not found\n", version, keep_alive);
    return out;
  }
  if (request.method() != route->method) {
    out.response = text_response(http::status::method_not_allowed,
                                 "method not allowed\n", version, keep_alive);
    out.response.set(http::field::allow, route->method == http::verb::get ? "GET" : "POST");
    return out;
  }

  if (target == "/metrics") {
    out.response = text_response(http::status::ok, e.metrics(), version, keep_alive);
    out.response.set(http::field::content_type, kMetricsContentType);
  } else if (target == "/healthz") {
    out.response = text_response(http::status::ok, "ok\n", version, keep_alive);
  } else if (target == "/readyz") {
    const Readiness r = e.readiness();
    out.response = text_response(r.ready ? http::status::ok : http::status::service_unavailable,
                                 r.reason + "\n", version, keep_alive);
  } else if (target == "/topology") {
    out.response = text_response(http::status::ok, e.topology(), version, keep_alive);
    out.response.set(http::field::content_type, "application/json");
  } else if (target == "/quitquitquit") {
    out.response = text_response(http::status::ok, "shutting down\n", version, false);
    out.quit_after = true;
  } else if (target == "/reload") {
    const ReloadOutcome r = e.reload();
    out.response = text_response(r.ok ? http::status::ok : http::status::bad_request,
                                 r.message + "\n", version, keep_alive);
  }
  return out;
}

}  // namespace resplit::admin
