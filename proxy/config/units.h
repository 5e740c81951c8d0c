// Parsing and canonical spelling of the value types the config file uses: durations and sizes
// with units, host:port addresses, bounded integers and booleans. format_* writes what parse_*
// reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "proxy/config/config.h"

namespace resplit::config {

// A parsed value, or the reason the text is not one (a sentence for the user, no location).
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;

  static Parsed ok(T v) { return Parsed{std::move(v), {}}; }
  static Parsed fail(std::string why) { return Parsed{std::nullopt, std::move(why)}; }
};

// A whole number followed by exactly one unit: us, ms, s, m, h ("250ms", "90s", "2h"). `0` needs
// no unit. Compound forms ("1m30s"), fractions and signs are rejected; microseconds must add up
// to whole milliseconds because Duration counts milliseconds.
Parsed<Duration> parse_duration(std::string_view text);
// The largest unit that divides the value exactly: "0s", "250ms", "90s", "5m", "2h".
std::string format_duration(Duration d);

// A whole number followed by a unit: B, KiB, MiB, GiB, TiB (powers of 1024) or kB, MB, GB, TB
// (powers of 1000). `0` needs no unit; any other bare number is rejected.
Parsed<uint64_t> parse_size(std::string_view text);
// The largest binary unit that divides the value exactly, else the largest decimal one, else B.
std::string format_size(uint64_t bytes);

// "host:port" with an IPv4 address or a DNS name, or "[ipv6]:port"; the port is 1..65535.
Parsed<HostPort> parse_host_port(std::string_view text);
std::string format_host_port(const HostPort& address);  // same as HostPort::to_string()

// A decimal integer in [min, max]; no sign, no unit.
Parsed<uint64_t> parse_uint(std::string_view text, uint64_t min, uint64_t max);

// Only `true` and `false`: YAML 1.1's yes/no/on/off are too easy to get wrong.
Parsed<bool> parse_bool(std::string_view text);

}  // namespace resplit::config
