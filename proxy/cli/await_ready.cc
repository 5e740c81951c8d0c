#include "proxy/cli/await_ready.h"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <thread>

#include "proxy/cli/command_line.h"
#include "proxy/config/units.h"

namespace resplit::cli {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

constexpr auto kRetryInterval = std::chrono::milliseconds(250);
constexpr auto kMaxAttempt = std::chrono::seconds(2);

// One GET; the status code, or an exception with the reason it failed.
asio::awaitable<unsigned> get_status(const HttpUrl& url, Clock::duration limit) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  beast::tcp_stream stream(executor);
  const auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::use_awaitable);
  stream.expires_after(limit);
  co_await stream.async_connect(endpoints, asio::use_awaitable);
  http::request<http::empty_body> request{http::verb::get, url.target, 11};
  request.set(http::field::host, url.host);
  request.set(http::field::user_agent, "resplit await-ready");
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  co_return response.result_int();
}

// One try with its own deadline: "" when the answer is 200, else what went wrong.
std::string try_once(const HttpUrl& url, Clock::duration limit) {
  asio::io_context io;
  std::string outcome = "no answer";
  asio::co_spawn(io, get_status(url, limit), [&](std::exception_ptr failure, unsigned status) {
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const boost::system::system_error& e) {
        outcome = e.code().message();  // what() would add Boost's source location
      } catch (const std::exception& e) {
        outcome = e.what();
      }
    } else {
      outcome = status == 200 ? "" : "HTTP " + std::to_string(status);
    }
  });
  // The resolver has no deadline of its own; the run limit covers it.
  io.run_for(limit + std::chrono::milliseconds(100));
  return outcome;
}

}  // namespace

std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    error = "expected an http:// URL, got '" + std::string(url) + "'";
    return std::nullopt;
  }
  std::string_view rest = url.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  HttpUrl parsed;
  parsed.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  std::string_view port = "80";
  bool ok = true;
  if (authority.starts_with('[')) {  // [ipv6]:port
    const size_t close = authority.find(']');
    ok = close != std::string_view::npos;
    if (ok) {
      parsed.host = std::string(authority.substr(1, close - 1));
      const std::string_view after = authority.substr(close + 1);
      if (!after.empty()) {
        ok = after.front() == ':';
        port = after.substr(1);
      }
    }
  } else {
    const size_t colon = authority.find(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  parsed.port = std::string(port);
  const bool port_ok = !parsed.port.empty() && parsed.port.size() <= 5 &&
                       std::all_of(parsed.port.begin(), parsed.port.end(),
                                   [](char c) { return c >= '0' && c <= '9'; }) &&
                       std::stoi(parsed.port) >= 1 && std::stoi(parsed.port) <= 65535;
  if (!ok || parsed.host.empty() || !port_ok) {
    error = "expected http://host:port/path, got '" + std::string(url) + "'";
    return std::nullopt;
  }
  return parsed;
}

int await_ready(const HttpUrl& url, std::chrono::milliseconds timeout, std::ostream& err) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    const auto left = deadline - Clock::now();
    const auto limit =
        std::clamp<Clock::duration>(left, std::chrono::milliseconds(100), kMaxAttempt);
    const std::string outcome = try_once(url, limit);
    if (outcome.empty()) return kExitOk;
    if (Clock::now() + kRetryInterval >= deadline) {
      err << "await-ready: http://" << url.host << ":" << url.port << url.target
          << " not ready within " << config::format_duration(timeout) << " (last try: " << outcome
          << ")\n";
      return kExitError;
    }
    std::this_thread::sleep_for(kRetryInterval);
  }
}

}  // namespace resplit::cli
