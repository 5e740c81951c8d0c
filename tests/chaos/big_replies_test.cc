// A4: deep and big replies through resplit, byte for byte against redis-server: EVAL results nested
// 9 to 10,000 deep (Redis ends the deepest with its own "reached lua stack limit" error inside the
// nesting), a 100 MiB bulk, a 1,000,000-element LRANGE, and COMMAND DOCS. Meanwhile other clients
// keep reading and writing through resplit and must see no error at all.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/chaos/probe.h"
#include "tests/integration/proxy_fixture.h"
#include "tests/testing/raw_client.h"

namespace resplit::testkit::chaos {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kBigDeadline = 60s;
constexpr size_t kHugeBulk = 100 * 1024 * 1024;
constexpr size_t kListLength = 1'000'000;
constexpr size_t kBystanders = 3;
constexpr size_t kMaxBystanderRounds = 1'000'000;
constexpr const char* kSlowCommands = "timeouts: {command: 30s}\n";

std::string command(const std::vector<std::string>& args) {
  std::string out = "*" + std::to_string(args.size()) + "\r\n";
  for (const std::string& a : args) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  return out;
}

// A table nested `depth` deep with the number 1 at the bottom.
const std::string kNestedScript =
    "local t = {} local cur = t "
    "for i = 2, tonumber(ARGV[1]) do local n = {} cur[1] = n cur = n end "
    "cur[1] = 1 return t";

// Clients that write their own keys and read a preloaded one through resplit until stopped; every
// reply is checked, so a reply given to the wrong client or cut short counts as an error.
class Bystanders {
 public:
  explicit Bystanders(ResplitProcess& proxy) {
    for (size_t b = 0; b < kBystanders; ++b) {
      threads_.emplace_back([this, &proxy, b] {
        RedisClient c = proxy.client(10s);
        for (size_t i = 0; i < kMaxBystanderRounds && !stop_; ++i) {
          const std::string key = "by:" + std::to_string(b);
          const std::string value = std::to_string(i);
          if (c.command({"SET", key, value}) != Reply::status("OK")) ++errors_;
          if (c.command({"GET", "fixed"}) != Reply::bulk("fixed-value")) ++errors_;
          if (c.command({"ECHO", value}) != Reply::bulk(value)) ++errors_;
          ++rounds_;
          std::this_thread::sleep_for(2ms);
        }
      });
    }
  }
  ~Bystanders() { stop(); }
  void stop() {
    stop_ = true;
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  size_t errors() const { return errors_; }
  size_t rounds() const { return rounds_; }

 private:
  std::atomic<bool> stop_{false};
  std::atomic<size_t> errors_{0};
  std::atomic<size_t> rounds_{0};
  std::vector<std::thread> threads_;
};

class BigRepliesTest : public ProxyFixture {
 protected:
  // resplit holds a reply whole before sending it, and its command timeout covers the whole
  // transfer: the 100 MiB reply needs more than the default 64 MiB per client (OutputLimitTest
  // below covers that default) and may take longer than the default 2 s on a loaded machine.
  std::string proxy_config() const override {
    return std::string(kSlowCommands) + "limits: {client_output_buffer: 256MiB}\n";
  }

  void load_data() {
    auto m = master().client(30s);
    ASSERT_EQ(m.command({"SET", "fixed", "fixed-value"}), Reply::status("OK"));
    std::string huge(kHugeBulk, 'h');
    for (size_t i = 0; i < huge.size(); i += 4093) huge[i] = char('a' + i % 26);
    ASSERT_EQ(m.command({"SET", "huge", huge}), Reply::status("OK"));
    std::vector<std::vector<std::string>> pushes;
    for (size_t i = 0; i < kListLength;) {
      std::vector<std::string> push = {"RPUSH", "long"};
      for (size_t j = 0; j < 10'000 && i < kListLength; ++j, ++i) push.push_back(std::to_string(i));
      pushes.push_back(std::move(push));
    }
    for (const Reply& r : m.pipeline(pushes)) ASSERT_EQ(r.type, Reply::Type::kInteger) << r;
    ASSERT_TRUE(topology().wait_for_sync(60s));
  }

  // The reply to `request` from `direct` and through resplit, each on a fresh connection.
  void expect_identical(const std::string& what, uint16_t direct, const std::string& request) {
    const auto started = Clock::now();
    RawClient to_redis(direct);
    ASSERT_TRUE(to_redis.send(request, 30s)) << what;
    const Outcome expected = read_one_reply(to_redis, kBigDeadline);
    ASSERT_GT(complete_reply_size(expected.bytes), 0u) << what << ": no reply from redis-server";
    const auto direct_took = Clock::now() - started;

    RawClient to_proxy(proxy().port());
    ASSERT_TRUE(to_proxy.send(request, 30s)) << what;
    const Outcome got = read_one_reply(to_proxy, kBigDeadline);
    const auto proxy_took = Clock::now() - started - direct_took;
    EXPECT_EQ(got.bytes.size(), expected.bytes.size()) << what;
    EXPECT_TRUE(got.bytes == expected.bytes)
        << what << "\n  redis: " << escape(expected.bytes) << "\nresplit: " << escape(got.bytes);
    EXPECT_FALSE(got.closed) << what;
    std::cout << what << ": " << expected.bytes.size() << " bytes; direct "
              << std::chrono::duration_cast<std::chrono::milliseconds>(direct_took).count()
              << " ms, through resplit "
              << std::chrono::duration_cast<std::chrono::milliseconds>(proxy_took).count()
              << " ms\n";
  }
};

// The elements of the array reply `array`, each as its exact bytes; empty when it is not one
// complete array.
std::vector<std::string_view> elements(std::string_view array) {
  std::vector<std::string_view> out;
  const size_t header_end = array.find("\r\n");
  if (array.empty() || array[0] != '*' || header_end == std::string_view::npos) return out;
  std::string_view rest = array.substr(header_end + 2);
  while (!rest.empty()) {
    const size_t size = complete_reply_size(rest);
    if (size == 0) return {};
    out.push_back(rest.substr(0, size));
    rest.remove_prefix(size);
  }
  return out;
}

std::string canonical_docs(std::string_view pairs);

// One command's documentation (a flat key/value array) with its "subcommands" map canonical.
std::string canonical_doc(std::string_view doc) {
  const std::vector<std::string_view> fields = elements(doc);
  if (fields.empty()) return std::string(doc);
  std::string out(doc.substr(0, doc.find("\r\n") + 2));
  for (size_t i = 0; i < fields.size(); ++i) {
    const bool subcommands = i % 2 == 1 && fields[i - 1] == "$11\r\nsubcommands\r\n";
    out += subcommands ? canonical_docs(fields[i]) : std::string(fields[i]);
  }
  return out;
}

// A COMMAND DOCS reply (name, documentation, name, ...) with its pairs sorted, at the top and in
// every subcommand map: Redis lists them in its dictionaries' order, which changes as lookups
// move an incremental rehash on (its own polls and other clients' commands do), so only the set
// of pairs is the server's answer. Each documentation is otherwise compared byte for byte.
std::string canonical_docs(std::string_view pairs) {
  const std::vector<std::string_view> fields = elements(pairs);
  if (fields.size() % 2 != 0) return std::string(pairs);
  std::vector<std::string> sorted;
  for (size_t i = 0; i < fields.size(); i += 2) {
    sorted.push_back(std::string(fields[i]) + canonical_doc(fields[i + 1]));
  }
  std::sort(sorted.begin(), sorted.end());
  std::string out(pairs.substr(0, pairs.find("\r\n") + 2));
  for (const std::string& pair : sorted) out += pair;
  return out;
}

TEST_F(BigRepliesTest, DeepAndBigRepliesPassUnchangedWhileOthersCarryOn) {
  load_data();
  if (HasFatalFailure()) return;

  Bystanders bystanders(proxy());
  for (const int depth : {9, 100, 1000, 5000, 10000}) {
    expect_identical("EVAL nested " + std::to_string(depth), master().port(),
                     command({"EVAL", kNestedScript, "0", std::to_string(depth)}));
  }
  // Compared in canonical order (canonical_docs): every command's documentation, byte for byte,
  // none missing or extra.
  const std::string docs = command({"COMMAND", "DOCS"});
  std::vector<std::string> per_server;
  for (RedisProcess* node : {&master(), &replica(0), &replica(1)}) {
    RawClient direct(node->port());
    ASSERT_TRUE(direct.send(docs));
    const std::string bytes = read_one_reply(direct, kBigDeadline).bytes;
    ASSERT_GT(complete_reply_size(bytes), 100'000u);
    per_server.push_back(canonical_docs(bytes));
  }
  RawClient via_proxy(proxy().port());
  ASSERT_TRUE(via_proxy.send(docs));
  const Outcome got_docs = read_one_reply(via_proxy, kBigDeadline);
  const std::string got_canonical = canonical_docs(got_docs.bytes);
  EXPECT_NE(std::find(per_server.begin(), per_server.end(), got_canonical), per_server.end())
      << "COMMAND DOCS through resplit equals no server's: " << escape(got_docs.bytes);
  std::cout << "COMMAND DOCS: " << got_docs.bytes.size() << " bytes, "
            << elements(got_docs.bytes).size() / 2
            << " commands, the same documentation as the servers'\n";
  expect_identical("GET of 100 MiB", replica(0).port(), command({"GET", "huge"}));
  expect_identical("LRANGE of 1,000,000", replica(0).port(), command({"LRANGE", "long", "0", "-1"}));
  // Inline too, as redis-cli and telnet users send it.
  expect_identical("inline EVAL nested 1000", master().port(),
                   "EVAL \"" + kNestedScript + "\" 0 1000\r\n");
  bystanders.stop();

  std::cout << "bystanders: " << bystanders.rounds() << " rounds (3 commands each), "
            << bystanders.errors() << " errors\n";
  RecordProperty("bystander_rounds", int(bystanders.rounds()));
  EXPECT_EQ(bystanders.errors(), 0u);
  EXPECT_GT(bystanders.rounds(), 10u);
}

class OutputLimitTest : public BigRepliesTest {
 protected:
  std::string proxy_config() const override { return kSlowCommands; }
};

TEST_F(OutputLimitTest, ReplyOverTheDefaultOutputLimitClosesOnlyItsClient) {
  load_data();
  if (HasFatalFailure()) return;
  Bystanders bystanders(proxy());
  RawClient greedy(proxy().port());
  ASSERT_TRUE(greedy.send(command({"GET", "huge"})));
  const Outcome got = read_one_reply(greedy, kBigDeadline);
  EXPECT_TRUE(got.closed);
  EXPECT_EQ(complete_reply_size(got.bytes), 0u) << "a cut reply must never look complete";
  // The same connection's backend pool still serves everyone else, big replies included.
  expect_identical("LRANGE of 1,000,000", replica(0).port(), command({"LRANGE", "long", "0", "-1"}));
  bystanders.stop();
  std::cout << "100 MiB reply over the 64 MiB limit: closed after " << got.bytes.size()
            << " bytes; bystanders " << bystanders.rounds() << " rounds, " << bystanders.errors()
            << " errors\n";
  EXPECT_EQ(bystanders.errors(), 0u);
}

}  // namespace
}  // namespace resplit::testkit::chaos
