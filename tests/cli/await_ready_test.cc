// `resplit await-ready`: waits through 503s and refused connections until /readyz answers 200,
// gives up at its deadline even against a server that accepts and never answers, and rejects
// malformed URLs and durations as usage errors.
#include "proxy/cli/await_ready.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <sstream>
#include <thread>

#include "proxy/cli/command_line.h"

namespace resplit::cli {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// An HTTP server on a free loopback port, in its own thread: 503 for the first `not_ready`
// requests and 200 after, or (silent) accepting connections and never answering.
class ReadyzServer {
 public:
  ReadyzServer(int not_ready, bool silent) : not_ready_(not_ready), silent_(silent) {
    acceptor_.open(asio::ip::tcp::v4());
    acceptor_.bind({asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~ReadyzServer() {
    io_.stop();
    thread_.join();
  }
  HttpUrl url() const {
    return {"127.0.0.1", std::to_string(acceptor_.local_endpoint().port()), "/readyz"};
  }
  int requests() const { return requests_; }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto socket = co_await acceptor_.async_accept(asio::use_awaitable);
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> serve(asio::ip::tcp::socket socket) {
    if (silent_) {  // hold the connection open, answer nothing
      held_.push_back(std::move(socket));
      co_return;
    }
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> request;
    co_await http::async_read(socket, buffer, request, asio::use_awaitable);
    const bool ready = requests_++ >= not_ready_;
    http::response<http::string_body> response{
        ready ? http::status::ok : http::status::service_unavailable, 11};
    response.body() = ready ? "ready\n" : "not ready\n";
    response.prepare_payload();
    co_await http::async_write(socket, response, asio::use_awaitable);
  }

  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_{io_};
  std::vector<asio::ip::tcp::socket> held_;
  std::thread thread_;
  std::atomic<int> requests_{0};
  const int not_ready_;
  const bool silent_;
};

TEST(AwaitReady, WaitsThrough503sUntil200) {
  ReadyzServer server(/*not_ready=*/3, /*silent=*/false);
  std::ostringstream err;
  const auto start = Clock::now();
  EXPECT_EQ(await_ready(server.url(), 30s, err), kExitOk) << err.str();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  std::cout << "ready after " << server.requests() << " requests, " << took.count() << " ms\n";
  EXPECT_EQ(server.requests(), 4);
  EXPECT_EQ(err.str(), "");
}

TEST(AwaitReady, GivesUpAtTheDeadlineWhileNotReady) {
  ReadyzServer server(/*not_ready=*/1000000, /*silent=*/false);
  std::ostringstream err;
  const auto start = Clock::now();
  EXPECT_EQ(await_ready(server.url(), 1500ms, err), kExitError);
  EXPECT_LT(Clock::now() - start, 10s);
  EXPECT_GE(server.requests(), 2);
  EXPECT_NE(err.str().find("not ready within 1500ms (last try: HTTP 503)"), std::string::npos)
      << err.str();
}

TEST(AwaitReady, ASilentServerCannotHoldItPastTheDeadline) {
  ReadyzServer server(/*not_ready=*/0, /*silent=*/true);
  std::ostringstream err;
  const auto start = Clock::now();
  EXPECT_EQ(await_ready(server.url(), 1s, err), kExitError);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  std::cout << "gave up after " << took.count() << " ms: " << err.str();
  EXPECT_LT(took, 10s);
}

TEST(AwaitReady, NothingListeningIsNotReady) {
  HttpUrl url;
  {
    ReadyzServer closed(0, false);  // a port that was free a moment ago
    url = closed.url();
  }
  std::ostringstream err;
  EXPECT_EQ(await_ready(url, 600ms, err), kExitError);
  EXPECT_NE(err.str().find("refused"), std::string::npos) << err.str();
}

TEST(AwaitReady, ParsesHttpUrls) {
  std::string error;
  auto url = parse_http_url("http://127.0.0.1:9126/readyz", error);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, "9126");
  EXPECT_EQ(url->target, "/readyz");
  url = parse_http_url("http://localhost", error);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->port, "80");
  EXPECT_EQ(url->target, "/");
  url = parse_http_url("http://[::1]:9126/readyz?x=1", error);
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->target, "/readyz?x=1");
  for (const char* bad :
       {"https://h:1/", "ftp://h", "http://:80/", "http://h:0/", "http://h:65536/", "http://h:x/",
        "http://[::1/", "http://[::1]x/", "127.0.0.1:9126"}) {
    EXPECT_FALSE(parse_http_url(bad, error)) << bad;
  }
}

TEST(AwaitReady, CommandLine) {
  const char* ok[] = {"resplit",   "await-ready", "--url", "http://127.0.0.1:9126/readyz",
                      "--timeout", "90s"};
  auto parsed = parse_command_line(6, ok);
  ASSERT_TRUE(parsed.options) << parsed.output;
  EXPECT_EQ(parsed.options->action, Action::kAwaitReady);
  EXPECT_EQ(parsed.options->await_url.port, "9126");
  EXPECT_EQ(parsed.options->await_timeout, std::chrono::seconds(90));

  const char* bad_url[] = {"resplit", "await-ready", "--url", "localhost:9126"};
  parsed = parse_command_line(4, bad_url);
  EXPECT_FALSE(parsed.options);
  EXPECT_EQ(parsed.exit_code, kExitUsage);
  const char* bad_timeout[] = {"resplit", "await-ready", "--timeout", "60"};
  parsed = parse_command_line(4, bad_timeout);
  EXPECT_FALSE(parsed.options);
  EXPECT_EQ(parsed.exit_code, kExitUsage);
  EXPECT_NE(parsed.output.find("no unit"), std::string::npos) << parsed.output;
}

}  // namespace
}  // namespace resplit::cli
