#include "proxy/config/units.h"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace resplit::config {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

TEST(ParseDuration, AcceptsEveryUnit) {
  EXPECT_EQ(parse_duration("0").value, Duration{0});
  EXPECT_EQ(parse_duration("0s").value, Duration{0});
  EXPECT_EQ(parse_duration("2000us").value, milliseconds(2));
  EXPECT_EQ(parse_duration("250ms").value, milliseconds(250));
  EXPECT_EQ(parse_duration("5s").value, seconds(5));
  EXPECT_EQ(parse_duration("3m").value, minutes(3));
  EXPECT_EQ(parse_duration("2h").value, hours(2));
}

TEST(ParseDuration, RejectsWithAReason) {
  struct Case {
    const char* text;
    const char* fragment;
  };
  const Case cases[] = {
      {"", "empty duration"},
      {"5", "has no unit: add one of us, ms, s, m, h, e.g. 5ms"},
      {"5sec", "unknown unit \"sec\""},
      {"5S", "unknown unit \"S\""},
      {"1m30s", "combines several units"},
      {"1.5s", "has a fraction"},
      {"-5s", "is negative"},
      {"+5s", "is not a duration"},
      {" 5s", "is not a duration"},
      {"5 s", "unknown unit \" s\""},
      {"ms", "is not a duration"},
      {"1500us", "not a whole number of milliseconds"},
      {"99999999999999999999s", "too large"},
      {"9223372036854775807s", "too large"},
  };
  for (const Case& c : cases) {
    Parsed<Duration> p = parse_duration(c.text);
    EXPECT_FALSE(p.value) << c.text;
    EXPECT_NE(p.error.find(c.fragment), std::string::npos) << c.text << " -> " << p.error;
  }
}

TEST(ParseDuration, LargestValueThatFits) {
  // The largest whole number of hours that still fits in int64 milliseconds.
  const int64_t max_hours = std::numeric_limits<int64_t>::max() / 3'600'000;
  Parsed<Duration> p = parse_duration(std::to_string(max_hours) + "h");
  ASSERT_TRUE(p.value) << p.error;
  EXPECT_EQ(p.value->count(), max_hours * 3'600'000);
  EXPECT_FALSE(parse_duration(std::to_string(max_hours + 1) + "h").value);
}

TEST(FormatDuration, PicksTheLargestExactUnit) {
  EXPECT_EQ(format_duration(Duration{0}), "0s");
  EXPECT_EQ(format_duration(milliseconds(250)), "250ms");
  EXPECT_EQ(format_duration(milliseconds(1500)), "1500ms");
  EXPECT_EQ(format_duration(seconds(90)), "90s");
  EXPECT_EQ(format_duration(minutes(5)), "5m");
  EXPECT_EQ(format_duration(hours(48)), "48h");
}

TEST(FormatDuration, RoundTrips) {
  const int64_t samples[] = {
      0,      1,      999,       1000,       1001,
      60'000, 61'000, 3'600'000, 86'400'000, std::numeric_limits<int64_t>::max()};
  for (int64_t ms : samples) {
    Parsed<Duration> back = parse_duration(format_duration(milliseconds(ms)));
    ASSERT_TRUE(back.value) << ms << ": " << back.error;
    EXPECT_EQ(back.value->count(), ms);
  }
}

TEST(ParseSize, BinaryAndDecimalUnits) {
  EXPECT_EQ(parse_size("0").value, 0u);
  EXPECT_EQ(parse_size("0B").value, 0u);
  EXPECT_EQ(parse_size("17B").value, 17u);
  EXPECT_EQ(parse_size("64KiB").value, 64u << 10);
  EXPECT_EQ(parse_size("1MiB").value, 1u << 20);
  EXPECT_EQ(parse_size("1GiB").value, 1u << 30);
  EXPECT_EQ(parse_size("2TiB").value, 2ull << 40);
  EXPECT_EQ(parse_size("3kB").value, 3000u);
  EXPECT_EQ(parse_size("3MB").value, 3'000'000u);
  EXPECT_EQ(parse_size("3GB").value, 3'000'000'000u);
  EXPECT_EQ(parse_size("3TB").value, 3'000'000'000'000u);
}

TEST(ParseSize, RejectsWithAReason) {
  struct Case {
    const char* text;
    const char* fragment;
  };
  const Case cases[] = {
      {"1024", "has no unit: add one of B, KiB, MiB, GiB, TiB, kB, MB, GB, TB, e.g. 1KiB"},
      {"1mb", "unknown unit \"mb\""},
      {"1KB", "unknown unit \"KB\""},
      {"1.5MiB", "unknown unit \".5MiB\""},
      {"-1MiB", "is negative"},
      {"MiB", "is not a size"},
      {"", "empty size"},
      {"16777216TiB", "too large"},
      {"18446744073709551616B", "too large"},
  };
  for (const Case& c : cases) {
    Parsed<uint64_t> p = parse_size(c.text);
    EXPECT_FALSE(p.value) << c.text;
    EXPECT_NE(p.error.find(c.fragment), std::string::npos) << c.text << " -> " << p.error;
  }
  EXPECT_EQ(parse_size("16777215TiB").value, 16777215ull << 40);
  EXPECT_EQ(parse_size("18446744073709551615B").value, std::numeric_limits<uint64_t>::max());
}

TEST(FormatSize, RoundTrips) {
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_size(1), "1B");
  EXPECT_EQ(format_size(1024), "1KiB");
  EXPECT_EQ(format_size(1536), "1536B");
  EXPECT_EQ(format_size(1u << 20), "1MiB");
  EXPECT_EQ(format_size(512ull << 20), "512MiB");
  EXPECT_EQ(format_size(1ull << 30), "1GiB");
  EXPECT_EQ(format_size(1ull << 42), "4TiB");
  EXPECT_EQ(format_size(1000), "1kB");
  EXPECT_EQ(format_size(5'000'000'000ull), "5GB");
  const uint64_t samples[] = {0,
                              1,
                              1000,
                              1023,
                              1024,
                              1025,
                              4096,
                              1'000'000,
                              1ull << 40,
                              3ull << 41,
                              7'000'000'000'000ull,
                              std::numeric_limits<uint64_t>::max()};
  for (uint64_t n : samples) {
    Parsed<uint64_t> back = parse_size(format_size(n));
    ASSERT_TRUE(back.value) << n << ": " << back.error;
    EXPECT_EQ(*back.value, n);
  }
}

TEST(ParseHostPort, Accepts) {
  struct Case {
    const char* text;
    const char* host;
    uint16_t port;
  };
  const Case cases[] = {
      {"127.0.0.1:6379", "127.0.0.1", 6379},
      {"0.0.0.0:1", "0.0.0.0", 1},
      {"redis-master:65535", "redis-master", 65535},
      {"redis.default.svc.cluster.local.:6379", "redis.default.svc.cluster.local.", 6379},
      {"[::1]:6379", "::1", 6379},
      {"[2001:db8::7]:26379", "2001:db8::7", 26379},
      {"[::]:6379", "::", 6379},
  };
  for (const Case& c : cases) {
    Parsed<HostPort> p = parse_host_port(c.text);
    ASSERT_TRUE(p.value) << c.text << ": " << p.error;
    EXPECT_EQ(p.value->host, c.host);
    EXPECT_EQ(p.value->port, c.port);
    EXPECT_EQ(format_host_port(*p.value), c.text);
    EXPECT_EQ(p.value->to_string(), c.text);
  }
}

TEST(ParseHostPort, RejectsWithAReason) {
  struct Case {
    const char* text;
    const char* fragment;
  };
  const Case cases[] = {
      {"", "empty address"},
      {"redis", "has no port"},
      {"redis:", "has no port"},
      {"redis:0", "is not a number from 1 to 65535"},
      {"redis:65536", "is not a number from 1 to 65535"},
      {"redis:-1", "is not a number from 1 to 65535"},
      {"redis:http", "is not a number from 1 to 65535"},
      {":6379", "has no host"},
      {"::1:6379", "write IPv6 addresses in brackets"},
      {"[::1]", "has no port"},
      {"[::1:6379", "has no closing ]"},
      {"[::g]:6379", "is not a valid IPv6 address"},
      {"[127.0.0.1]:6379", "is not a valid IPv6 address"},
      {"[::1]x6379", "has text after ]"},
      {"256.0.0.1:6379", "is not a valid IPv4 address"},
      {"1.2.3:6379", "is not a valid IPv4 address"},
      {"bad host:6379", "is not a valid host name"},
      {"a..b:6379", "is not a valid host name"},
  };
  for (const Case& c : cases) {
    Parsed<HostPort> p = parse_host_port(c.text);
    EXPECT_FALSE(p.value) << c.text;
    EXPECT_NE(p.error.find(c.fragment), std::string::npos) << c.text << " -> " << p.error;
  }
}

TEST(ParseUint, BoundsAndSigns) {
  EXPECT_EQ(parse_uint("0", 0, 10).value, 0u);
  EXPECT_EQ(parse_uint("10", 0, 10).value, 10u);
  EXPECT_FALSE(parse_uint("11", 0, 10).value);
  EXPECT_FALSE(parse_uint("0", 1, 10).value);
  EXPECT_FALSE(parse_uint("", 0, 10).value);
  EXPECT_FALSE(parse_uint("1x", 0, 10).value);
  EXPECT_FALSE(parse_uint("0x10", 0, 100).value);
  EXPECT_FALSE(parse_uint("1e3", 0, 10000).value);
  EXPECT_FALSE(parse_uint("99999999999999999999", 0, UINT64_MAX).value);
  EXPECT_EQ(parse_uint("18446744073709551615", 0, UINT64_MAX).value, UINT64_MAX);
  Parsed<uint64_t> negative = parse_uint("-3", 0, 10);
  EXPECT_FALSE(negative.value);
  EXPECT_EQ(negative.error, "must not be negative, got \"-3\"");
  EXPECT_EQ(parse_uint("12", 1, 10).error, "expected a whole number from 1 to 10, got \"12\"");
  EXPECT_EQ(parse_uint("1.5", 1, 10).error, "expected a whole number, got \"1.5\"");
}

TEST(ParseBool, OnlyTrueAndFalse) {
  EXPECT_EQ(parse_bool("true").value, true);
  EXPECT_EQ(parse_bool("false").value, false);
  for (const char* text : {"yes", "no", "on", "off", "True", "FALSE", "1", "0", "y", ""}) {
    Parsed<bool> p = parse_bool(text);
    EXPECT_FALSE(p.value) << text;
    EXPECT_EQ(p.error, std::string("expected true or false, got \"") + text + "\"");
  }
}

}  // namespace
}  // namespace resplit::config
