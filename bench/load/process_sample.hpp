// ProcessSample: another process's CPU time and resident memory, read from
// /proc/PID/stat (utime + stime) and /proc/PID/status (VmRSS), so the load generator can
// report the server's cost per op beside its throughput (on 2 cores the generator
// competes with the server: CPU per op is the figure that travels between machines).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace otter::bench {

struct ProcessSample {
  double cpu_seconds = 0;       // user + system, all threads, since the process started
  std::uint64_t rss_bytes = 0;  // resident set now
};

// nullopt if the process does not exist or /proc cannot be read.
[[nodiscard]] std::optional<ProcessSample> sample_process(pid_t pid);

}  // namespace otter::bench
