#include "sim/edit_generator.hpp"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>

#include "sim/random.hpp"

namespace otter::sim {
namespace {

// What a piece of typed text is made of. "e\u0301" is two code points that render as one
// character; a lone combining mark may land after any character, an emoji included.
constexpr std::array<std::string_view, 16> kPieces{
    "a", "b", "x", " ", "\n", "Hello", "é", "ß", "€", "中文", "🦦", "😀", "👍🏽", "e\u0301", "\u0301", "\u200d",
};

// Above this length edits lean towards deleting.
constexpr std::size_t kComfortableLength = 120;

std::string random_text(SimRandom& random) {
  std::string text;
  const std::uint64_t pieces = 1 + random.below(4);
  for (std::uint64_t i = 0; i < pieces; ++i) text += kPieces[random.below(kPieces.size())];
  return text;
}

}  // namespace

ot::Operation random_edit(std::uint64_t entropy, std::size_t length) {
  SimRandom random(entropy);
  const unsigned delete_percent = length == 0 ? 0 : (length > kComfortableLength ? 70 : 35);
  const bool erases = random.chance(delete_percent);
  const bool inserts = !erases || random.chance(25);  // a delete sometimes replaces
  const std::size_t position = random.below(length + (erases ? 0 : 1));
  const std::size_t erased = erases ? 1 + random.below(std::min<std::size_t>(length - position, 6)) : 0;
  ot::Operation op;
  op.retain(position);
  if (inserts) op.insert(random_text(random));
  op.erase(erased);
  op.retain(length - position - erased);
  return op;
}

ot::Selection random_selection(std::uint64_t entropy, std::size_t length) {
  SimRandom random(entropy);
  const std::size_t anchor = random.below(length + 1);
  const std::size_t head = random.chance(60) ? anchor : random.below(length + 1);
  return ot::Selection{anchor, head};
}

}  // namespace otter::sim
