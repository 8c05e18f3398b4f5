#include "bench/load/edit_source.hpp"

namespace otter::bench {

std::optional<PlannedEdit> RandomTyping::next(std::int64_t length) {
  std::uniform_int_distribution<std::int64_t> position(0, length);
  letter_[0] = static_cast<char>('a' + random_() % 26);
  return PlannedEdit{.position = position(random_), .erase = 0, .insert = std::string_view(letter_, 1),
                     .insert_code_points = 1};
}

std::optional<PlannedEdit> TraceReplay::next(std::int64_t /*length*/) {
  if (next_ >= trace_.patches.size()) return std::nullopt;
  const Patch& patch = trace_.patches[next_++];
  return PlannedEdit{.position = static_cast<std::int64_t>(patch.position),
                     .erase = static_cast<std::int64_t>(patch.erase_count),
                     .insert = patch.insert_text,
                     .insert_code_points = static_cast<std::int64_t>(patch.insert_code_points)};
}

}  // namespace otter::bench
