// EditSource: what a benchmark client types next. RandomTyping is a person typing one
// character at a time at random places (the hot and docs workloads); TraceReplay replays a
// recorded editing trace (bench/traces/, loaded by bench/ot/trace.hpp) patch by patch.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

#include "bench/ot/trace.hpp"

namespace otter::bench {

struct PlannedEdit {
  std::int64_t position = 0;
  std::int64_t erase = 0;
  std::string_view insert;  // valid until the next call of next()
  std::int64_t insert_code_points = 0;
};

class EditSource {
 public:
  virtual ~EditSource() = default;
  // The next edit of a document of `length` code points; nullopt when there is no more.
  [[nodiscard]] virtual std::optional<PlannedEdit> next(std::int64_t length) = 0;
};

// One ASCII letter inserted at a uniformly random position, forever. Seeded.
class RandomTyping final : public EditSource {
 public:
  explicit RandomTyping(std::uint64_t seed) : random_(seed) {}
  [[nodiscard]] std::optional<PlannedEdit> next(std::int64_t length) override;

 private:
  std::mt19937_64 random_;
  char letter_[1] = {'a'};
};

// The trace's patches in order; the trace must outlive the source.
class TraceReplay final : public EditSource {
 public:
  explicit TraceReplay(const Trace& trace) : trace_(trace) {}
  [[nodiscard]] std::optional<PlannedEdit> next(std::int64_t length) override;
  [[nodiscard]] std::size_t replayed() const noexcept { return next_; }

 private:
  const Trace& trace_;
  std::size_t next_ = 0;
};

}  // namespace otter::bench
