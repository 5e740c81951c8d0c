// CommandTable::find() runs once per request, so it must not touch the heap. This binary replaces
// the global operator new to count allocations while lookups run.
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "proxy/commands/command_table.h"

namespace {
std::atomic<long> g_allocations{0};
}  // namespace

void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
// The nothrow forms too: the runtime frees their memory through the replaced operator delete.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace resplit::commands {
namespace {

TEST(CommandTableAllocTest, CountingWorks) {
  const long before = g_allocations.load();
  std::string* s = new std::string(100, 'x');
  delete s;
  EXPECT_GE(g_allocations.load() - before, 2);
}

TEST(CommandTableAllocTest, FindAllocatesNothing) {
  const auto table = CommandTable::builtin();  // built (and allocated) before counting
  const std::string long_name(4096, 'G');
  constexpr std::string_view kNames[] = {"GET", "set", "HgetAll", "nosuch", "", "client"};
  const long before = g_allocations.load();
  std::size_t found = 0;
  for (int round = 0; round < 1000; ++round) {
    for (std::string_view name : kNames) found += table->find(name) != nullptr;
    found += table->find("Client", "SETNAME") != nullptr;
    found += table->find("config", "nosuch") != nullptr;
    found += table->find("XINFO", "stream") != nullptr;
    found += table->find(long_name) != nullptr;
    found += table->find(long_name, long_name) != nullptr;
  }
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(found, 1000u * 7);
}

}  // namespace
}  // namespace resplit::commands
