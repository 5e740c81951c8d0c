#include "tests/server/counting_malloc.h"

#include <execinfo.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdlib>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RESPLIT_SANITIZER_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define RESPLIT_SANITIZER_ALLOCATOR 1
#endif
#endif

namespace {

std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};
std::atomic<uint64_t> g_bytes{0};
std::atomic<int> g_traces_left{0};
thread_local bool t_tracing = false;  // trivial type: no allocation on first use in a thread

void print_backtrace() {
  static constexpr char kHeader[] = "--- heap allocation while counting:\n";
  void* frames[48];
  const int n = backtrace(frames, 48);
  [[maybe_unused]] auto ignored = ::write(2, kHeader, sizeof kHeader - 1);
  backtrace_symbols_fd(frames, n, 2);
}

[[maybe_unused]] void note(size_t size) {
  if (!g_counting.load(std::memory_order_relaxed)) return;
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(size, std::memory_order_relaxed);
  if (!t_tracing && g_traces_left.load(std::memory_order_relaxed) > 0 &&
      g_traces_left.fetch_sub(1, std::memory_order_relaxed) > 0) {
    t_tracing = true;
    print_backtrace();
    t_tracing = false;
  }
}

}  // namespace

#ifndef RESPLIT_SANITIZER_ALLOCATOR
extern "C" {

void* __libc_malloc(size_t size);
void* __libc_calloc(size_t count, size_t size);
void* __libc_realloc(void* p, size_t size);
void* __libc_memalign(size_t alignment, size_t size);
void __libc_free(void* p);

void* malloc(size_t size) noexcept {
  note(size);
  return __libc_malloc(size);
}

void free(void* p) noexcept { __libc_free(p); }

void* calloc(size_t count, size_t size) noexcept {
  note(count * size);
  return __libc_calloc(count, size);
}

void* realloc(void* p, size_t size) noexcept {
  note(size);
  return __libc_realloc(p, size);
}

void* memalign(size_t alignment, size_t size) noexcept {
  note(size);
  return __libc_memalign(alignment, size);
}

void* aligned_alloc(size_t alignment, size_t size) noexcept {
  note(size);
  return __libc_memalign(alignment, size);
}

int posix_memalign(void** out, size_t alignment, size_t size) noexcept {
  if (alignment < sizeof(void*) || (alignment & (alignment - 1)) != 0) return EINVAL;
  note(size);
  void* p = __libc_memalign(alignment, size);
  if (p == nullptr) return ENOMEM;
  *out = p;
  return 0;
}

}  // extern "C"
#endif

namespace resplit::testkit {

bool allocation_counting_available() {
#ifdef RESPLIT_SANITIZER_ALLOCATOR
  return false;
#else
  return true;
#endif
}

void start_counting_allocations() {
  int traces = 0;
  if (const char* wanted = std::getenv("RESPLIT_ALLOC_TRACE")) traces = std::atoi(wanted);
  if (traces > 0) {
    // The first backtrace() loads the unwinder (which allocates): do it before counting.
    void* frame[1];
    backtrace(frame, 1);
  }
  g_allocations.store(0);
  g_bytes.store(0);
  g_traces_left.store(traces);
  g_counting.store(true);
}

void stop_counting_allocations() { g_counting.store(false); }

uint64_t counted_allocations() { return g_allocations.load(); }
uint64_t counted_bytes() { return g_bytes.load(); }

}  // namespace resplit::testkit
