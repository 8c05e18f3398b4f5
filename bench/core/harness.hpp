#pragma once
// What core_bench (Otter) and caf_bench (the C++ Actor Framework) share, so the two
// programs measure the same way and print the same JSON:
//
//   Stopwatch           wall time and process CPU time (all threads) of one run
//   Samples             repeated runs of one workload -> median / best / all samples
//   percentile()        nearest-rank percentile of latencies
//   resident_bytes()    this process's RSS, from /proc/self/statm
//   machine()           nproc, CPU model, compiler: where the numbers came from
//   parse_options()     --repetitions N, --scale F (shrinks every workload, for smoke runs)
//
// Header-only and free of Otter and CAF includes: caf_bench must not link otter::core.
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <malloc.h>
#include <time.h>
#include <unistd.h>
#include <vector>

namespace otter::bench {

// The workload sizes both programs use (before --scale).
struct Workloads {
  std::int64_t ping_pong_messages = 2'000'000;
  int fan_out_receivers = 100;
  std::int64_t fan_out_messages_per_receiver = 20'000;
  int call_count = 50'000;
  int call_warmup = 2'000;
  std::int64_t spawn_count = 200'000;
  std::int64_t idle_processes = 100'000;
};

struct Options {
  int repetitions = 5;
  double scale = 1.0;
  unsigned threads = 0;  // 0: one per core
  std::string only;      // comma-separated workload names; empty: all

  [[nodiscard]] bool wants(std::string_view workload) const {
    if (only.empty()) return true;
    std::string_view rest = only;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      if (rest.substr(0, comma) == workload) return true;
      rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    return false;
  }
};

inline Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(std::string{arg} + " needs a value");
      return argv[++i];
    };
    if (arg == "--repetitions") {
      options.repetitions = std::max(1, std::stoi(value()));
    } else if (arg == "--scale") {
      options.scale = std::stod(value());
    } else if (arg == "--threads") {
      options.threads = static_cast<unsigned>(std::stoul(value()));
    } else if (arg == "--only") {
      options.only = value();
    } else if (arg == "--help" || arg == "-h") {
      std::cout << "usage: " << argv[0]
                << " [--repetitions N] [--scale F] [--threads N] [--only W,...]\n"
                   "Runs the core runtime workloads and prints one JSON object on stdout.\n"
                   "  --repetitions N  runs per throughput workload (default 5; median reported)\n"
                   "  --scale F        multiplies every workload size (default 1;\n"
                   "                   0.01 for a smoke run)\n"
                   "  --threads N      scheduler threads (default: one per core)\n"
                   "  --only W,...     run only these workloads: idle_memory, ping_pong,\n"
                   "                   fan_out, call_latency, spawn_exit\n";
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument: " + std::string{arg});
    }
  }
  if (options.threads == 0) options.threads = std::max(1u, std::thread::hardware_concurrency());
  return options;
}

inline Workloads scaled(const Options& options) {
  Workloads w;
  auto scale = [&](auto n) {
    const double scaled_size = static_cast<double>(n) * options.scale;
    return std::max<decltype(n)>(1, static_cast<decltype(n)>(scaled_size));
  };
  w.ping_pong_messages = scale(w.ping_pong_messages);
  w.fan_out_messages_per_receiver = scale(w.fan_out_messages_per_receiver);
  w.call_count = scale(w.call_count);
  w.call_warmup = scale(w.call_warmup);
  w.spawn_count = scale(w.spawn_count);
  w.idle_processes = scale(w.idle_processes);
  return w;
}

// CPU time of the whole process (every thread), in seconds.
inline double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// Wall time, and the CPU time all threads spent meanwhile: on a shared machine the wall
// rate drops when other work takes the cores, the CPU rate (work per CPU-second) much
// less. A runtime whose idle threads spin pays for it in the CPU rate.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()), cpu_start_(process_cpu_seconds()) {}
  [[nodiscard]] double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }
  [[nodiscard]] double cpu_seconds() const { return process_cpu_seconds() - cpu_start_; }

 private:
  std::chrono::steady_clock::time_point start_;
  double cpu_start_;
};

// One run of a throughput workload: how much work, over how much wall and CPU time.
struct Run {
  double work = 0;
  double wall_seconds = 0;
  double cpu_seconds = 0;
  [[nodiscard]] static Run measure(double work, const Stopwatch& clock) {
    return Run{work, clock.seconds(), clock.cpu_seconds()};
  }
};

// Rates from repeated runs of one workload. Reported: the median (the headline number),
// the best, and every sample, so noise on a shared machine is visible.
class Samples {
 public:
  void add(double value) { values_.push_back(value); }
  [[nodiscard]] bool empty() const noexcept { return values_.empty(); }
  [[nodiscard]] double median() const {
    std::vector<double> sorted = values_;
    std::sort(sorted.begin(), sorted.end());
    return sorted.empty() ? 0.0 : sorted[sorted.size() / 2];
  }
  [[nodiscard]] double best() const {
    return values_.empty() ? 0.0 : *std::max_element(values_.begin(), values_.end());
  }
  [[nodiscard]] boost::json::array to_json() const {
    boost::json::array all;
    for (double v : values_) all.emplace_back(v);
    return all;
  }

 private:
  std::vector<double> values_;
};

// Nearest-rank percentile (p in (0, 100]) of `values`, which it sorts.
inline double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double exact_rank = p / 100.0 * static_cast<double>(values.size());
  const auto rank = static_cast<std::size_t>(std::ceil(exact_rank));
  return values[std::min(values.size(), std::max<std::size_t>(rank, 1)) - 1];
}

// Hands freed heap memory back to the OS first, so that memory freed by an earlier
// workload doesn't hide the growth being measured.
inline std::int64_t resident_bytes() {
  malloc_trim(0);
  std::ifstream statm("/proc/self/statm");
  std::int64_t size_pages = 0;
  std::int64_t resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
}

// Repeats `run` (returning a Run) and reports the median wall rate as `unit`, plus the
// best wall rate, the median rate per CPU-second and every sample.
template <class RunOnce>
boost::json::object throughput(const Options& options, const char* unit, RunOnce run) {
  Samples wall;
  Samples per_cpu;
  for (int i = 0; i < options.repetitions; ++i) {
    const Run r = run();
    wall.add(r.work / r.wall_seconds);
    per_cpu.add(r.work / r.cpu_seconds);
  }
  return {{unit, wall.median()},
          {"best", wall.best()},
          {"per_cpu_second", per_cpu.median()},
          {"samples", wall.to_json()},
          {"samples_per_cpu_second", per_cpu.to_json()}};
}

inline double load_average() {
  std::ifstream loadavg("/proc/loadavg");
  double one_minute = 0;
  loadavg >> one_minute;
  return one_minute;
}

inline boost::json::object machine(const Options& options) {
  std::string cpu = "unknown";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      cpu = line.substr(line.find(':') + 2);
      break;
    }
  }
  return {{"nproc", std::thread::hardware_concurrency()},
          {"cpu", cpu},
          {"compiler", "g++ " __VERSION__},
          {"scheduler_threads", options.threads},
          {"load_average_1m_at_start", load_average()}};
}

}  // namespace otter::bench
