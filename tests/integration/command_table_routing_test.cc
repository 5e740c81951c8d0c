// resplit's command classification checked against the live COMMAND table of the running master:
// every plain read-only command (and subcommand) that a minimal generic invocation can exercise
// runs on a replica and never on the master, and every plain write runs on the master. Where each
// call ran is read from INFO commandstats on every node.
#include <cctype>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/integration/proxy_fixture.h"
#include "tests/testing/reply.h"

namespace resplit::testkit {
namespace {

using namespace std::chrono_literals;

struct Entry {
  std::string name;  // "get", or "object|encoding" for a subcommand
  long long arity = 0;
  std::set<std::string> flags;
  long long first_key = 0, last_key = 0, step = 0;
};

void collect(const Reply& entry, std::vector<Entry>& out) {
  if (entry.type != Reply::Type::kArray || entry.elements.size() < 6) return;
  Entry e;
  e.name = entry.elements[0].str;
  e.arity = entry.elements[1].integer;
  for (const auto& f : entry.elements[2].elements) e.flags.insert(f.str);
  e.first_key = entry.elements[3].integer;
  e.last_key = entry.elements[4].integer;
  e.step = entry.elements[5].integer;
  if (entry.elements.size() >= 10 && !entry.elements[9].elements.empty()) {
    for (const auto& sub : entry.elements[9].elements) collect(sub, out);
  } else {
    out.push_back(std::move(e));
  }
}

// A well-formed minimal call: the name (two words for a subcommand), keys where the table says
// keys go, "0" everywhere else; empty with `why` set when no generic call fits.
std::vector<std::string> invocation(const Entry& e, std::string& why) {
  std::vector<std::string> argv;
  std::string upper = e.name;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const auto bar = upper.find('|');
  argv.push_back(upper.substr(0, bar));
  if (bar != std::string::npos) argv.push_back(upper.substr(bar + 1));
  const long long wanted = e.arity < 0 ? -e.arity : e.arity;
  if (e.flags.count("movablekeys") != 0) {
    // Read-only commands of the form `CMD numkeys key ...` (ZUNION, SINTERCARD, ...), and those
    // whose first key stays at position 1 (SORT_RO), take one key.
    if (e.first_key == 0 && e.flags.count("readonly") != 0 && wanted == 3) {
      argv.insert(argv.end(), {"1", "ct:key"});
      return argv;
    }
    if (e.first_key == 1 && e.flags.count("readonly") != 0 && wanted == 2) {
      argv.push_back("ct:key");
      return argv;
    }
    why = "movable keys: the key positions depend on the arguments";
    return {};
  }
  for (long long p = static_cast<long long>(argv.size()); p < wanted; ++p) {
    const bool in_range = e.first_key > 0 && p >= e.first_key &&
                          (e.last_key < 0 || p <= e.last_key);
    const bool key = in_range && e.step > 0 && (p - e.first_key) % e.step == 0;
    argv.push_back(key ? "ct:key" : "0");
  }
  return argv;
}

// Calls (executed or rejected) per command name ("get", "object|encoding") on one node.
std::map<std::string, long long> commandstats(RedisProcess& node) {
  std::map<std::string, long long> out;
  for (const auto& [field, value] : node.client(5s).info("commandstats")) {
    if (field.rfind("cmdstat_", 0) != 0) continue;
    long long total = 0;
    for (const char* what : {"calls=", "rejected_calls="}) {
      const auto at = value.find(what);
      if (at != std::string::npos && (at == 0 || value[at - 1] == ',')) {
        total += std::stoll(value.substr(at + std::string(what).size()));
      }
    }
    out[field.substr(8)] = total;
  }
  return out;
}

class CommandTableRoutingTest : public ProxyFixture {
 protected:
  std::string proxy_config() const override {
    return "routing: {read_policy: replica, read_your_writes: false}\n";
  }
};

bool special(const Entry& e, std::string& why) {
  for (const char* flag : {"blocking", "pubsub", "admin", "noscript"}) {
    if (e.flags.count(flag) != 0) {
      why = std::string("flag ") + flag + ": routed by its own rules";
      return true;
    }
  }
  return false;
}

TEST_F(CommandTableRoutingTest, EveryReadOnlyCommandRunsOnAReplicaAndWritesOnTheMaster) {
  const Reply table = master().client(10s).command({"COMMAND"});
  ASSERT_EQ(table.type, Reply::Type::kArray) << table;
  std::vector<Entry> entries;
  for (const auto& entry : table.elements) collect(entry, entries);
  ASSERT_GT(entries.size(), 200u);

  // Both replicas in rotation before anything is measured.
  auto c = client();
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  const auto g0 = commandstats(replica(0))["get"], g1 = commandstats(replica(1))["get"];
  while (std::chrono::steady_clock::now() < deadline &&
         (commandstats(replica(0))["get"] == g0 || commandstats(replica(1))["get"] == g1)) {
    c.pipeline(std::vector<std::vector<std::string>>(20, {"GET", "ct:key"}));
  }

  std::vector<std::pair<const Entry*, std::vector<std::string>>> reads, writes;
  std::ostringstream skipped;
  for (const auto& e : entries) {
    const bool readonly = e.flags.count("readonly") != 0;
    const bool write = e.flags.count("write") != 0;
    if (!readonly && !write) continue;
    std::string why;
    if (e.name == "eval_ro") {  // noscript, but a read-only script is plain to build
      reads.push_back({&e, {"EVAL_RO", "return #KEYS", "1", "ct:key"}});
      continue;
    }
    if (special(e, why)) {
      skipped << "  " << e.name << ": " << why << "\n";
      continue;
    }
    auto argv = invocation(e, why);
    if (argv.empty()) {
      skipped << "  " << e.name << ": " << why << "\n";
      continue;
    }
    if (write && (e.first_key <= 0)) {
      skipped << "  " << e.name << ": keyless write, not sent (may touch the whole dataset)\n";
      continue;
    }
    (readonly ? reads : writes).push_back({&e, std::move(argv)});
  }

  auto m0 = commandstats(master());
  auto r0 = commandstats(replica(0)), r1 = commandstats(replica(1));
  std::map<std::string, std::string> replies;
  for (const auto* group : {&reads, &writes}) {
    for (const auto& [e, argv] : *group) replies[e->name] = to_string(c.command(argv));
  }
  auto m1 = commandstats(master());
  auto s0 = commandstats(replica(0)), s1 = commandstats(replica(1));

  size_t reads_ok = 0, writes_ok = 0;
  for (const auto& [e, argv] : reads) {
    const long long dm = m1[e->name] - m0[e->name];
    const long long dr = (s0[e->name] - r0[e->name]) + (s1[e->name] - r1[e->name]);
    EXPECT_TRUE(dm == 0 && dr == 1) << e->name << ": master " << dm << ", replicas " << dr
                                    << ", reply " << replies[e->name];
    reads_ok += (dm == 0 && dr == 1) ? 1 : 0;
  }
  for (const auto& [e, argv] : writes) {
    const long long dm = m1[e->name] - m0[e->name];
    EXPECT_EQ(dm, 1) << e->name << ": reply " << replies[e->name];
    writes_ok += dm == 1 ? 1 : 0;
  }
  // One representative per special class: where it ran is printed, not asserted here (the
  // sessions and admin tests pin their behaviour).
  const std::vector<std::vector<std::string>> specials = {
      {"BLPOP", "ct:list", "0.01"}, {"PUBLISH", "ct:channel", "x"},
      {"CONFIG", "GET", "maxmemory"}, {"SCRIPT", "EXISTS", "0"}, {"PFDEBUG", "GETREG", "ct:key"}};
  for (const auto& argv : specials) {
    auto before_m = commandstats(master());
    auto before_0 = commandstats(replica(0)), before_1 = commandstats(replica(1));
    const std::string reply = to_string(c.command(argv));
    auto after_m = commandstats(master());
    auto after_0 = commandstats(replica(0)), after_1 = commandstats(replica(1));
    std::string name = argv[0];
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (after_m.count(name) == 0 && after_0.count(name) == 0 && after_1.count(name) == 0) {
      std::string sub = argv[1];
      for (auto& ch : sub) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      name += "|" + sub;
    }
    std::cout << "special " << argv[0] << ": master " << after_m[name] - before_m[name]
              << ", replica0 " << after_0[name] - before_0[name] << ", replica1 "
              << after_1[name] - before_1[name] << ", reply " << reply.substr(0, 80) << "\n";
  }
  std::cout << "live COMMAND table: " << entries.size() << " commands and subcommands\n"
            << "read-only sent " << reads.size() << ", ran once on a replica and never on the "
            << "master: " << reads_ok << "\n"
            << "writes sent " << writes.size() << ", ran on the master: " << writes_ok << "\n"
            << "skipped:\n" << skipped.str();
}

}  // namespace
}  // namespace resplit::testkit
