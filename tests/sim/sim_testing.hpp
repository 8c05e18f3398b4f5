// Seeds of the simulator's tests (tests/support/test_seed.hpp) and how a failure names one.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>

#include "tests/support/test_seed.hpp"

namespace otter::sim::testing {

using otter::testing::test_seed;

inline std::string seed_trace(std::uint64_t seed) { return "OTTER_SEED=" + std::to_string(seed); }

}  // namespace otter::sim::testing
