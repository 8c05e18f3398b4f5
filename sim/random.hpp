// SimRandom: the simulator's only source of randomness — a seeded splitmix64 generator.
//
// Contract
// - The same seed gives the same sequence on every platform and standard library: no
//   std::uniform_*_distribution (their results are implementation-defined), only integer
//   arithmetic on the raw 64-bit outputs.
// - below(n) is in [0, n) (0 when n is 0); chance(p) is true with probability p/100. The
//   modulo bias is irrelevant at the sizes the simulator draws.
#pragma once

#include <cstdint>

namespace otter::sim {

class SimRandom {
 public:
  explicit SimRandom(std::uint64_t seed) noexcept : state_(seed) {}

  [[nodiscard]] std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  [[nodiscard]] std::uint64_t below(std::uint64_t n) noexcept { return n == 0 ? 0 : next() % n; }
  [[nodiscard]] bool chance(unsigned percent) noexcept { return below(100) < percent; }

 private:
  std::uint64_t state_;
};

}  // namespace otter::sim
