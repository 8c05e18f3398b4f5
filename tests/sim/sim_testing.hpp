// Seeds of the simulator's tests: a fixed default, overridable with $OTTER_SEED.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

namespace otter::sim::testing {

inline std::uint64_t test_seed(std::uint64_t fallback) {
  if (const char* text = std::getenv("OTTER_SEED")) return std::strtoull(text, nullptr, 10);
  return fallback;
}

inline std::string seed_trace(std::uint64_t seed) { return "OTTER_SEED=" + std::to_string(seed); }

}  // namespace otter::sim::testing
