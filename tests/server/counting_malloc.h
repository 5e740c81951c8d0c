// Counts every heap allocation of the process, on every thread, while counting is on. Linking this
// library replaces malloc and its relatives (glibc lets a program do so and forwards to its own
// __libc_* functions), so it sees what a replaced operator new would miss: Asio takes its operation
// and coroutine-frame blocks with aligned_alloc, OpenSSL and the C library call malloc directly.
//
// With RESPLIT_ALLOC_TRACE=<n> in the environment, the first n counted allocations print a
// backtrace to stderr (build with -c dbg or --copt=-g for readable frames), to find where they come
// from.
#pragma once

#include <cstdint>

namespace resplit::testkit {

// False in sanitizer builds, which bring their own allocator: nothing is replaced or counted.
bool allocation_counting_available();

void start_counting_allocations();
void stop_counting_allocations();
uint64_t counted_allocations();  // since the last start
uint64_t counted_bytes();

}  // namespace resplit::testkit
