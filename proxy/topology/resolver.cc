#include "proxy/topology/resolver.h"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "proxy/topology/hosts_file.h"

namespace resplit::topology {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Shared by the waiting coroutine and the lookup's handler, which may outlive the wait.
struct Lookup {
  explicit Lookup(asio::any_io_executor ex) : done(ex), resolver(ex) {}
  asio::steady_timer done;
  tcp::resolver resolver;
  ResolveResult result;
  bool finished = false;
};

}  // namespace

asio::awaitable<ResolveResult> SystemResolver::resolve(std::string host, uint16_t port,
                                                       Clock::duration timeout) {
  boost::system::error_code ec;
  const asio::ip::address ip = asio::ip::make_address(host, ec);
  if (!ec) co_return ResolveResult{{}, {Address{ip.to_string(), port}}};
  if (auto listed = hosts_file_lookup(host)) {
    ResolveResult result;
    for (std::string& a : *listed) result.addresses.push_back(Address{std::move(a), port});
    co_return result;
  }

  auto lookup = std::make_shared<Lookup>(co_await asio::this_coro::executor);
  lookup->done.expires_after(timeout);
  lookup->resolver.async_resolve(
      host, std::to_string(port),
      [lookup](const boost::system::error_code& error, const tcp::resolver::results_type& found) {
        lookup->finished = true;
        if (error) {
          lookup->result.error = error;
        } else {
          for (const auto& entry : found) {
            Address a{entry.endpoint().address().to_string(), entry.endpoint().port()};
            auto& list = lookup->result.addresses;
            if (std::find(list.begin(), list.end(), a) == list.end()) list.push_back(std::move(a));
          }
        }
        lookup->done.cancel();
      });
  co_await lookup->done.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!lookup->finished) {
    lookup->resolver.cancel();
    co_return ResolveResult{asio::error::timed_out, {}};
  }
  co_return std::move(lookup->result);
}

}  // namespace resplit::topology
