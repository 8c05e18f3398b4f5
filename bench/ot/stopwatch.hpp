// Stopwatch: wall time and this thread's CPU time since it started. On a shared machine
// the CPU time is the cost of the code being measured; wall time adds the time spent
// waiting for a core. On an idle machine the two agree.
#pragma once

#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace otter::bench {

struct Elapsed {
  double wall_ms = 0;
  double cpu_ms = 0;
};

class Stopwatch {
 public:
  Stopwatch() noexcept : wall_start_(std::chrono::steady_clock::now()), cpu_start_ns_(thread_cpu_ns()) {}

  [[nodiscard]] Elapsed elapsed() const noexcept {
    const std::chrono::duration<double, std::milli> wall = std::chrono::steady_clock::now() - wall_start_;
    return {wall.count(), static_cast<double>(thread_cpu_ns() - cpu_start_ns_) / 1e6};
  }

 private:
  [[nodiscard]] static std::int64_t thread_cpu_ns() noexcept {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
  }

  std::chrono::steady_clock::time_point wall_start_;
  std::int64_t cpu_start_ns_;
};

// The fastest and the median of several runs, for wall and CPU time separately.
struct RunStats {
  Elapsed best;
  Elapsed median;
};

[[nodiscard]] inline RunStats summarize(const std::vector<Elapsed>& runs) {
  std::vector<double> wall;
  std::vector<double> cpu;
  for (const Elapsed& run : runs) {
    wall.push_back(run.wall_ms);
    cpu.push_back(run.cpu_ms);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  const std::size_t middle = runs.size() / 2;
  return RunStats{{wall.front(), cpu.front()}, {wall[middle], cpu[middle]}};
}

}  // namespace otter::bench
