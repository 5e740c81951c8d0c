// CommandTable::find() runs once per request: the cost of a lookup by name in mixed case, of a
// miss, and of a container's subcommand.
#include <string_view>

#include <benchmark/benchmark.h>

#include "proxy/commands/command_table.h"

namespace resplit::commands {
namespace {

constexpr std::string_view kCommonNames[] = {
    "GET", "set", "Hgetall", "MGET", "incr", "Expire", "zadd", "LRANGE",
    "del", "HSET", "Publish", "EVALSHA", "xread", "Ttl", "exists", "SMEMBERS",
};

constexpr std::string_view kUnknownNames[] = {"GETT", "nosuch", "x", "hgetallx"};

struct Pair {
  std::string_view name;
  std::string_view subcommand;
};
constexpr Pair kSubcommands[] = {
    {"CLIENT", "SETNAME"}, {"config", "get"}, {"Script", "Load"}, {"XINFO", "stream"},
    {"client", "id"},      {"CONFIG", "set"}, {"object", "ENCODING"}, {"memory", "usage"},
};

void BM_FindCommonMixedCase(benchmark::State& state) {
  const auto table = CommandTable::builtin();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string_view name = kCommonNames[i++ % std::size(kCommonNames)];
    benchmark::DoNotOptimize(table->find(name));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FindCommonMixedCase);

void BM_FindGet(benchmark::State& state) {
  const auto table = CommandTable::builtin();
  std::string_view name = "get";
  for (auto _ : state) {
    benchmark::DoNotOptimize(name);
    benchmark::DoNotOptimize(table->find(name));
  }
}
BENCHMARK(BM_FindGet);

void BM_FindUnknown(benchmark::State& state) {
  const auto table = CommandTable::builtin();
  std::size_t i = 0;
  for (auto _ : state) {
    const std::string_view name = kUnknownNames[i++ % std::size(kUnknownNames)];
    benchmark::DoNotOptimize(table->find(name));
  }
}
BENCHMARK(BM_FindUnknown);

void BM_FindSubcommand(benchmark::State& state) {
  const auto table = CommandTable::builtin();
  std::size_t i = 0;
  for (auto _ : state) {
    const Pair& p = kSubcommands[i++ % std::size(kSubcommands)];
    benchmark::DoNotOptimize(table->find(p.name, p.subcommand));
  }
}
BENCHMARK(BM_FindSubcommand);

void BM_FindUnknownSubcommand(benchmark::State& state) {
  const auto table = CommandTable::builtin();
  std::string_view name = "CLIENT";
  std::string_view subcommand = "NOSUCHTHING";
  for (auto _ : state) {
    benchmark::DoNotOptimize(name);
    benchmark::DoNotOptimize(table->find(name, subcommand));
  }
}
BENCHMARK(BM_FindUnknownSubcommand);

}  // namespace
}  // namespace resplit::commands
