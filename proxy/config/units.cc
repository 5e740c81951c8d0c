#include "proxy/config/units.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

namespace resplit::config {
namespace {

struct Unit {
  std::string_view name;
  uint64_t factor;
};

// Durations in milliseconds, largest first (format_duration picks the first exact divisor).
// Microseconds are parsed separately: Duration counts whole milliseconds.
constexpr std::array<Unit, 4> kDurationUnits{
    {{"h", 3'600'000ull}, {"m", 60'000ull}, {"s", 1'000ull}, {"ms", 1ull}}};
constexpr std::string_view kDurationUnitList = "us, ms, s, m, h";

constexpr std::array<Unit, 5> kBinaryUnits{
    {{"TiB", 1ull << 40}, {"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}, {"B", 1}}};
constexpr std::array<Unit, 4> kDecimalUnits{{{"TB", 1'000'000'000'000ull},
                                             {"GB", 1'000'000'000ull},
                                             {"MB", 1'000'000ull},
                                             {"kB", 1'000ull}}};
constexpr std::string_view kSizeUnitList = "B, KiB, MiB, GiB, TiB, kB, MB, GB, TB";

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A leading run of digits as a number; false on overflow or when there are no digits.
bool leading_number(std::string_view text, uint64_t& value, std::string_view& rest) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ptr == text.data() || ec != std::errc{}) return false;
  rest = text.substr(static_cast<size_t>(ptr - text.data()));
  return true;
}

bool has_digit(std::string_view s) {
  for (char c : s) {
    if (is_digit(c)) return true;
  }
  return false;
}

template <size_t N>
const Unit* find_unit(const std::array<Unit, N>& units, std::string_view name) {
  for (const Unit& u : units) {
    if (u.name == name) return &u;
  }
  return nullptr;
}

bool valid_dns_name(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.empty() || host.size() > 253) return false;
  size_t label = 0;
  for (char c : host) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok =
        is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return label > 0;
}

bool looks_like_ipv4(std::string_view host) {
  for (char c : host) {
    if (!is_digit(c) && c != '.') return false;
  }
  return true;
}

Parsed<uint16_t> parse_port(std::string_view text, std::string_view whole) {
  if (text.empty()) {
    return Parsed<uint16_t>::fail(quoted(whole) + " has no port: write host:port, e.g. redis:6379");
  }
  Parsed<uint64_t> n = parse_uint(text, 1, 65535);
  if (!n.value) {
    return Parsed<uint16_t>::fail("port " + quoted(text) + " in " + quoted(whole) +
                                  " is not a number from 1 to 65535");
  }
  return Parsed<uint16_t>::ok(static_cast<uint16_t>(*n.value));
}

}  // namespace

Parsed<Duration> parse_duration(std::string_view text) {
  using P = Parsed<Duration>;
  const std::string shape = std::string("expected a whole number followed by one unit (") +
                            std::string(kDurationUnitList) + "), e.g. 250ms or 5s";
  if (text.empty()) return P::fail("empty duration: " + shape);
  if (text.front() == '-') return P::fail("duration " + quoted(text) + " is negative");
  uint64_t n = 0;
  std::string_view unit;
  if (!leading_number(text, n, unit)) {
    if (is_digit(text.front())) return P::fail("duration " + quoted(text) + " is too large");
    return P::fail(quoted(text) + " is not a duration: " + shape);
  }
  if (unit.empty()) {
    if (n == 0) return P::ok(Duration{0});
    return P::fail("duration " + quoted(text) + " has no unit: add one of " +
                   std::string(kDurationUnitList) + ", e.g. " + std::to_string(n) + "ms");
  }
  if (unit.front() == '.') return P::fail(quoted(text) + " has a fraction: " + shape);
  if (unit == "us") {
    if (n % 1000 != 0) {
      return P::fail("duration " + quoted(text) + " is not a whole number of milliseconds");
    }
    return P::ok(Duration{static_cast<Duration::rep>(n / 1000)});
  }
  const Unit* u = find_unit(kDurationUnits, unit);
  if (u == nullptr) {
    if (has_digit(unit)) {
      return P::fail(quoted(text) + " combines several units: write it with one, e.g. 90s");
    }
    return P::fail("duration " + quoted(text) + " has an unknown unit " + quoted(unit) +
                   ": use one of " + std::string(kDurationUnitList));
  }
  uint64_t ms = 0;
  if (__builtin_mul_overflow(n, u->factor, &ms) ||
      ms > static_cast<uint64_t>(std::numeric_limits<Duration::rep>::max())) {
    return P::fail("duration " + quoted(text) + " is too large");
  }
  return P::ok(Duration{static_cast<Duration::rep>(ms)});
}

std::string format_duration(Duration d) {
  if (d.count() == 0) return "0s";
  // Negative values are invalid in a config but still get an honest spelling in messages.
  const std::string sign = d.count() < 0 ? "-" : "";
  const uint64_t raw = static_cast<uint64_t>(d.count());
  const uint64_t ms = d.count() < 0 ? 0 - raw : raw;
  for (const Unit& u : kDurationUnits) {
    if (ms % u.factor == 0) return sign + std::to_string(ms / u.factor) + std::string(u.name);
  }
  return sign + std::to_string(ms) + "ms";  // unreachable: "ms" always divides
}

Parsed<uint64_t> parse_size(std::string_view text) {
  using P = Parsed<uint64_t>;
  const std::string units(kSizeUnitList);
  if (text.empty()) return P::fail("empty size: expected a number with one of " + units);
  if (text.front() == '-') return P::fail("size " + quoted(text) + " is negative");
  uint64_t n = 0;
  std::string_view unit;
  if (!leading_number(text, n, unit)) {
    if (is_digit(text.front())) return P::fail("size " + quoted(text) + " is too large");
    return P::fail(quoted(text) + " is not a size: expected a whole number followed by one of " +
                   units + ", e.g. 64MiB");
  }
  if (unit.empty()) {
    if (n == 0) return P::ok(0);
    return P::fail("size " + quoted(text) + " has no unit: add one of " + units + ", e.g. " +
                   format_size(n));
  }
  const Unit* u = find_unit(kBinaryUnits, unit);
  if (u == nullptr) u = find_unit(kDecimalUnits, unit);
  if (u == nullptr) {
    return P::fail("size " + quoted(text) + " has an unknown unit " + quoted(unit) +
                   ": use one of " + units);
  }
  uint64_t bytes = 0;
  if (__builtin_mul_overflow(n, u->factor, &bytes)) {
    return P::fail("size " + quoted(text) + " is too large");
  }
  return P::ok(bytes);
}

std::string format_size(uint64_t bytes) {
  if (bytes == 0) return "0B";
  for (const Unit& u : kBinaryUnits) {
    if (u.factor > 1 && bytes % u.factor == 0) {
      return std::to_string(bytes / u.factor) + std::string(u.name);
    }
  }
  for (const Unit& u : kDecimalUnits) {
    if (bytes % u.factor == 0) return std::to_string(bytes / u.factor) + std::string(u.name);
  }
  return std::to_string(bytes) + "B";
}

Parsed<HostPort> parse_host_port(std::string_view text) {
  using P = Parsed<HostPort>;
  if (text.empty()) return P::fail("empty address: expected host:port, e.g. redis:6379");
  std::string_view host;
  std::string_view port;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return P::fail(quoted(text) + " has no closing ]: write IPv6 addresses as [::1]:6379");
    }
    host = text.substr(1, close - 1);
    std::string_view after = text.substr(close + 1);
    if (after.empty()) {
      return P::fail(quoted(text) + " has no port: write [ipv6]:port, e.g. [::1]:6379");
    }
    if (after.front() != ':') {
      return P::fail(quoted(text) + " has text after ]: expected [ipv6]:port");
    }
    port = after.substr(1);
    in6_addr addr6{};
    if (inet_pton(AF_INET6, std::string(host).c_str(), &addr6) != 1) {
      return P::fail(quoted(host) + " in " + quoted(text) + " is not a valid IPv6 address");
    }
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      return P::fail(quoted(text) + " has no port: write host:port, e.g. redis:6379");
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return P::fail(quoted(text) + ": write IPv6 addresses in brackets, e.g. [::1]:6379");
    }
    if (host.empty()) return P::fail(quoted(text) + " has no host: write host:port");
    if (looks_like_ipv4(host)) {
      in_addr addr4{};
      if (inet_pton(AF_INET, std::string(host).c_str(), &addr4) != 1) {
        return P::fail(quoted(host) + " in " + quoted(text) + " is not a valid IPv4 address");
      }
    } else if (!valid_dns_name(host)) {
      return P::fail(quoted(host) + " in " + quoted(text) + " is not a valid host name");
    }
  }
  Parsed<uint16_t> p = parse_port(port, text);
  if (!p.value) return P::fail(p.error);
  return P::ok(HostPort{std::string(host), *p.value});
}

std::string format_host_port(const HostPort& address) {
  std::string port = std::to_string(address.port);
  if (address.host.find(':') != std::string::npos) return "[" + address.host + "]:" + port;
  return address.host + ":" + port;
}

Parsed<uint64_t> parse_uint(std::string_view text, uint64_t min, uint64_t max) {
  using P = Parsed<uint64_t>;
  const std::string range =
      "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!text.empty() && text.front() == '-') {
    return P::fail("must not be negative, got " + quoted(text));
  }
  const bool digits_only =
      !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c); });
  if (!digits_only) return P::fail("expected a whole number, got " + quoted(text));
  uint64_t n = 0;
  std::string_view rest;
  if (!leading_number(text, n, rest) || n < min || n > max) {
    return P::fail(range + ", got " + quoted(text));
  }
  return P::ok(n);
}

Parsed<bool> parse_bool(std::string_view text) {
  if (text == "true") return Parsed<bool>::ok(true);
  if (text == "false") return Parsed<bool>::ok(false);
  return Parsed<bool>::fail("expected true or false, got " + quoted(text));
}

}  // namespace resplit::config
