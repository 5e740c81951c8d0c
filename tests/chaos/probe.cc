#include "tests/chaos/probe.h"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "tests/testing/raw_client.h"

namespace resplit::testkit::chaos {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxCanaryPings = 200000;  // a bound on the loop, far above any test's length

Outcome collect(RawClient& client, std::chrono::milliseconds window) {
  if (!client.connected()) return {"<not connected: " + client.error() + ">", true};
  const RawClient::Received got = client.read_for(window);
  return {got.bytes, got.closed};
}

}  // namespace

SideBySide exchange_both(uint16_t direct, uint16_t proxied, std::string_view input,
                         std::chrono::milliseconds window) {
  RawClient to_redis(direct);
  RawClient to_proxy(proxied);
  // A send that fails because the peer already closed is not a difference by itself: what the
  // peer sent before closing is compared below.
  to_redis.send(input);
  to_proxy.send(input);
  const auto start = Clock::now();
  SideBySide result;
  result.direct = collect(to_redis, window);
  const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  // The proxy's reply had at least the same window, counted from the same moment.
  result.proxied = collect(to_proxy, std::max(window - spent, std::chrono::milliseconds(50)));
  return result;
}

size_t complete_reply_size(std::string_view bytes) {
  size_t at = 0;
  long long pending = 1;  // elements still owed by the reply and the arrays opened inside it
  while (pending > 0) {
    const size_t eol = bytes.find("\r\n", at);
    if (eol == std::string_view::npos || eol == at) return 0;
    const char type = bytes[at];
    const std::string_view text = bytes.substr(at + 1, eol - at - 1);
    at = eol + 2;
    --pending;
    if (type == '+' || type == '-' || type == ':') continue;
    if (type != '*' && type != '$') return 0;
    long long n = 0;
    try {
      n = std::stoll(std::string(text));
    } catch (...) {
      return 0;
    }
    if (type == '*') {
      pending += n > 0 ? n : 0;
    } else if (n >= 0) {
      if (bytes.size() < at + size_t(n) + 2) return 0;
      at += size_t(n) + 2;
    }
  }
  return at;
}

Outcome read_one_reply(RawClient& client, std::chrono::milliseconds deadline) {
  Outcome out;
  const auto until = Clock::now() + deadline;
  // Bounded by the deadline; each round waits at most 20 ms.
  while (Clock::now() < until && !out.closed && complete_reply_size(out.bytes) == 0) {
    RawClient::Received got = client.read_for(std::chrono::milliseconds(20));
    out.bytes += got.bytes;
    out.closed = got.closed;
  }
  return out;
}

std::string escape(std::string_view bytes, size_t limit) {
  std::string out;
  const bool cut = bytes.size() > limit;
  const std::string_view head = cut ? bytes.substr(0, limit / 2) : bytes;
  auto put = [&out](std::string_view part) {
    for (unsigned char c : part) {
      switch (c) {
        case '\r': out += "\\r"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        default:
          if (c < 0x20 || c >= 0x7f) {
            char hex[5];
            std::snprintf(hex, sizeof hex, "\\x%02x", c);
            out += hex;
          } else {
            out += char(c);
          }
      }
    }
  };
  put(head);
  if (cut) {
    out += "...<" + std::to_string(bytes.size() - limit) + " bytes>...";
    put(bytes.substr(bytes.size() - limit / 2));
  }
  return "\"" + out + "\"";
}

std::string describe(const Outcome& outcome) {
  return escape(outcome.bytes) + (outcome.closed ? " then closed" : " (left open)");
}

long rss_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

Canary::Canary(uint16_t port, std::chrono::milliseconds period) {
  rtt_us_.reserve(kMaxCanaryPings);
  thread_ = std::thread([this, port, period] { run(port, period); });
}

Canary::~Canary() { stop(); }

void Canary::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void Canary::run(uint16_t port, std::chrono::milliseconds period) {
  RawClient client(port);
  for (size_t i = 0; i < kMaxCanaryPings && !stop_; ++i) {
    const auto start = Clock::now();
    const bool sent = client.send("*1\r\n$4\r\nPING\r\n");
    const RawClient::Received got = client.read_until(1, std::chrono::seconds(2));
    const auto rtt = Clock::now() - start;
    ++pings_;
    if (!sent || got.bytes != "+PONG\r\n") {
      ++errors_;
      if (got.closed || !sent) break;  // the connection is gone: every later ping would fail too
    }
    rtt_us_.push_back(std::chrono::duration_cast<std::chrono::microseconds>(rtt).count());
    std::this_thread::sleep_until(start + period);
  }
}

long long Canary::percentile_us(double p) const {
  if (rtt_us_.empty()) return -1;
  std::vector<long long> sorted = rtt_us_;
  std::sort(sorted.begin(), sorted.end());
  const size_t at = std::min(sorted.size() - 1, size_t(p * double(sorted.size())));
  return sorted[at];
}

}  // namespace resplit::testkit::chaos
