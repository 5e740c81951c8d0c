// B3: clients that write far faster than Redis can answer. `redis-cli --pipe` streams a mass import
// (64 MiB of 16 KiB SETs beside 300,000 small SETs, each client reading its replies only as they
// come): resplit stops reading a client that has many commands awaiting replies, so the flood waits
// in the clients' sockets, not in resplit's memory. Every command is applied, in order, and another
// client's commands keep being answered meanwhile.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <string>

#include "tests/chaos/battery.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/process_probe.h"
#include "tests/testing/temp_dir.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;

constexpr size_t kBigValue = 16 * 1024;
constexpr int kBigCommands = 4096;  // 64 MiB
constexpr int kSmallCommands = 300'000;
constexpr long kBoundKib = 16 * 1024;

// Writes `count` SETs of `key_prefix<i % 1000>` to `value_size`-byte values that start with i.
void write_import(const std::string& path, const std::string& key_prefix, int count,
                  size_t value_size) {
  std::ofstream out(path, std::ios::binary);
  std::string value(value_size, 'v');
  for (int i = 0; i < count; ++i) {
    const std::string key = key_prefix + std::to_string(i % 1000);
    const std::string number = std::to_string(i) + ":";
    std::copy(number.begin(), number.end(), value.begin());
    out << "*3\r\n$3\r\nSET\r\n$" << key.size() << "\r\n" << key << "\r\n$" << value.size()
        << "\r\n" << value << "\r\n";
  }
}

// Runs `redis-cli --pipe` (at most 90 s) and returns its summary line ("errors: 0, replies: N").
std::string pipe_through(uint16_t port, const std::string& path) {
  const std::string command = "timeout 90 /usr/bin/redis-cli -p " + std::to_string(port) +
                              " --pipe < " + path + " 2>&1 | grep -o 'errors: .*'";
  std::string out;
  if (FILE* p = ::popen(command.c_str(), "r")) {
    char buffer[256];
    for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, p)) > 0;) out.append(buffer, n);
    ::pclose(p);
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

class WriteFloodTest : public ProxyFixture {};

TEST_F(WriteFloodTest, B3_MassImportsWaitInTheirSocketsNotInResplit) {
  const auto test_start = Clock::now();
  TempDir dir("resplit-b3");
  const std::string big = dir.file("big.resp");
  const std::string small = dir.file("small.resp");
  write_import(big, "b3:big:", kBigCommands, kBigValue);
  write_import(small, "b3:small:", kSmallCommands, 200);
  {
    RedisClient warm = client();
    for (int i = 0; i < 100; ++i) warm.command({"SET", "b3:warm", "x"});
  }
  const long baseline_kib = process_rss_kib(proxy().pid());
  const long peak_before_kib = process_peak_rss_kib(proxy().pid());

  auto big_run = std::async(std::launch::async, [&] { return pipe_through(proxy().port(), big); });
  auto small_run =
      std::async(std::launch::async, [&] { return pipe_through(proxy().port(), small); });
  // Meanwhile another client's commands are answered (bounded: the floods end within 90 s).
  RedisClient other = proxy().client(10s);
  double slowest_ms = 0;
  int answered = 0;
  while (small_run.wait_for(0ms) != std::future_status::ready ||
         big_run.wait_for(0ms) != std::future_status::ready) {
    const auto start = Clock::now();
    if (other.command({"SET", "b3:other", std::to_string(answered)}) == Reply::status("OK")) {
      ++answered;
    }
    slowest_ms = std::max(slowest_ms, std::chrono::duration<double, std::milli>(
                                          Clock::now() - start).count());
    std::this_thread::sleep_for(10ms);
  }
  const std::string big_summary = big_run.get();
  const std::string small_summary = small_run.get();
  const long peak_kib = process_peak_rss_kib(proxy().pid());

  std::cout << "FIGURES B3 write floods: " << kBigCommands << " x 16 KiB SET (" << big_summary
            << "), " << kSmallCommands << " small SET (" << small_summary
            << "); resplit RSS baseline " << baseline_kib / 1024 << " MiB, peak "
            << peak_kib / 1024 << " MiB (bound baseline + " << kBoundKib / 1024
            << " MiB); other client " << answered << " SETs, slowest " << slowest_ms
            << " ms; test " << seconds_since(test_start) << " s\n";
  EXPECT_EQ(big_summary, "errors: 0, replies: " + std::to_string(kBigCommands));
  EXPECT_EQ(small_summary, "errors: 0, replies: " + std::to_string(kSmallCommands));
  EXPECT_LE(peak_kib, std::max(baseline_kib, peak_before_kib) + kBoundKib);
  EXPECT_GT(answered, 0);
  EXPECT_LT(slowest_ms, 2000);

  // Applied in order: each key holds the last value written to it.
  RedisClient m = master().client();
  for (const auto& [key, last] : {std::pair{"b3:big:95", kBigCommands - 1},
                                  std::pair{"b3:small:999", kSmallCommands - 1}}) {
    const Reply value = m.command({"GETRANGE", key, "0", "15"});
    EXPECT_EQ(value.str.substr(0, value.str.find(':')), std::to_string(last)) << key;
  }
}

}  // namespace
}  // namespace resplit::testkit::chaos
