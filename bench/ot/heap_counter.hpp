// Heap accounting for the benchmark program. heap_counter.cpp replaces this program's
// global operator new/delete (only this program's) with ones that, while a Measurement
// is alive, count the bytes malloc hands out and takes back (malloc_usable_size, so
// real block sizes). Outside a measurement they are plain malloc/free, so timed runs pay
// one well-predicted branch. Single-threaded: the benchmark starts no threads.
//
// Bytes freed inside a measurement that were allocated before it count as negative; the
// benchmarks measure replays that free almost nothing they did not allocate themselves.
#pragma once

#include <cstddef>

namespace otter::bench::heap {

// Counts from zero while alive; at most one at a time.
class Measurement {
 public:
  Measurement() noexcept;
  ~Measurement();
  Measurement(const Measurement&) = delete;
  Measurement& operator=(const Measurement&) = delete;

  // Bytes allocated and not yet freed since the measurement started.
  [[nodiscard]] std::ptrdiff_t live_bytes() const noexcept;
  // The highest live_bytes() reached so far.
  [[nodiscard]] std::ptrdiff_t peak_bytes() const noexcept;
};

}  // namespace otter::bench::heap
