// The seed of a property test: OTTER_SEED overrides the test's own default, so a failure
// that prints its seed replays with `OTTER_SEED=<seed> <test binary>`.
#pragma once

#include <cstdint>
#include <cstdlib>

namespace otter::testing {

inline std::uint64_t test_seed(std::uint64_t default_seed = 20240611) {
  if (const char* env = std::getenv("OTTER_SEED"); env != nullptr && *env != '\0') {
    return std::strtoull(env, nullptr, 10);
  }
  return default_seed;
}

}  // namespace otter::testing
