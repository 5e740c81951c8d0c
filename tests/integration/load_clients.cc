#include "tests/integration/load_clients.h"

#include <memory>

#include "tests/testing/raw_client.h"

namespace resplit::testkit {
namespace {

constexpr auto kReplyTimeout = std::chrono::seconds(10);
// Every load loop is bounded: at most this many rounds per client.
constexpr uint64_t kMaxRoundsPerClient = 1'000'000;

std::string bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}

std::string command(std::initializer_list<std::string_view> args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (std::string_view a : args) out += bulk(a);
  return out;
}

struct Client {
  std::unique_ptr<RawClient> connection;
  std::string key;
  std::string counter;
  int64_t count = 0;
  uint64_t round = 0;
  bool done = false;
};

}  // namespace

LoadClients::LoadClients(uint16_t port, size_t connections, size_t threads, std::string key_prefix)
    : port_(port),
      connections_(connections),
      threads_(threads == 0 ? 1 : threads),
      prefix_(std::move(key_prefix)),
      acknowledged_(connections) {}

std::string LoadClients::counter_key(size_t client) const {
  return prefix_ + ":count:" + std::to_string(client);
}

void LoadClients::start() {
  const size_t per_thread = (connections_ + threads_ - 1) / threads_;
  for (size_t first = 0; first < connections_; first += per_thread) {
    const size_t count = std::min(per_thread, connections_ - first);
    running_threads_.fetch_add(1);
    workers_.emplace_back([this, first, count] { thread_loop(first, count); });
  }
}

void LoadClients::stop() {
  stop_ = true;
  for (std::thread& t : workers_) t.join();
  workers_.clear();
}

void LoadClients::thread_loop(size_t first, size_t count) {
  std::vector<Client> clients(count);
  for (size_t i = 0; i < count; ++i) {
    Client& c = clients[i];
    c.connection = std::make_unique<RawClient>(port_);
    c.key = prefix_ + ":" + std::to_string(first + i);
    c.counter = counter_key(first + i);
    if (!c.connection->connected()) {
      dropped_.fetch_add(1);
      c.done = true;
    }
  }
  auto live = [&clients] {
    size_t n = 0;
    for (const Client& c : clients) n += c.done ? 0 : 1;
    return n;
  };
  while (live() > 0 && !stop_) {
    // Send every client's pipeline, then collect every reply: many requests in flight at once.
    for (Client& c : clients) {
      if (c.done) continue;
      const std::string n = std::to_string(++c.round);
      const std::string request = command({"SET", c.key, n}) + command({"GET", c.key}) +
                                  command({"INCR", c.counter}) + command({"PING"});
      if (!c.connection->send(request)) c.done = true;
    }
    for (Client& c : clients) {
      if (c.done) continue;
      const std::string n = std::to_string(c.round);
      const std::string expected = "+OK\r\n" + bulk(n) + ":" + std::to_string(c.count + 1) +
                                   "\r\n+PONG\r\n";
      RawClient::Received got = c.connection->read_until(4, kReplyTimeout);
      // The INCR reply is the third: count it as acknowledged once it arrived whole.
      if (got.bytes.size() >= expected.size() - 7 &&
          got.bytes.compare(0, expected.size() - 7, expected, 0, expected.size() - 7) == 0) {
        ++c.count;
        acked_.fetch_add(1);
        acknowledged_[size_t(&c - clients.data()) + first].store(c.count);
      }
      if (got.bytes == expected) {
        rounds_.fetch_add(1);
      } else if (got.closed || got.reset || got.replies < 4) {
        if (!(expect_close_ && got.bytes.empty() && (got.closed || got.reset))) {
          dropped_.fetch_add(1);
        }
        c.done = true;
      } else {
        wrong_.fetch_add(1);
        c.done = true;
      }
      if (c.round >= kMaxRoundsPerClient) c.done = true;
    }
  }
  running_threads_.fetch_sub(1);
}

LoadCounts LoadClients::counts() const {
  return {rounds_.load(), wrong_.load(), dropped_.load(), acked_.load()};
}

std::vector<int64_t> LoadClients::acknowledged_counts() const {
  std::vector<int64_t> out;
  for (const auto& a : acknowledged_) out.push_back(a.load());
  return out;
}

}  // namespace resplit::testkit
