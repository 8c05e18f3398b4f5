// Test helpers for ot/: a seeded random source and a generator that returns an op
// together with the text it must produce, computed on its own (code point by code point),
// never by the code under test.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>

#include "ot/operation.hpp"
#include "tests/support/test_seed.hpp"
#include "tests/support/utf8_text.hpp"

namespace otter::ot::testing {

using otter::testing::test_seed;
using otter::testing::to_u32;
using otter::testing::to_utf8;

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  // Uniform in [0, bound) (bound > 0); modulo bias is irrelevant for tests.
  std::size_t below(std::size_t bound) { return static_cast<std::size_t>(engine_() % bound); }
  std::size_t between(std::size_t low, std::size_t high) { return low + below(high - low + 1); }
  bool chance(std::size_t percent) { return below(100) < percent; }

 private:
  std::mt19937_64 engine_;
};

// The op that inserts `text` at `position` in a document of `length` code points.
inline Operation insert_at(std::size_t position, std::string_view text, std::size_t length) {
  Operation op;
  op.retain(position).insert(text).retain(length - position);
  return op;
}

// 1-, 2-, 3- and 4-byte characters, a combining mark and a newline.
inline char32_t random_code_point(Random& random) {
  static constexpr char32_t kAlphabet[] = {U'a',      U'b',      U'c',      U'x',          U' ',         U'\n',
                                           U'\u00e9', U'\u0301', U'\u4e2d', U'\U0001F600', U'\U0001F44D'};
  return kAlphabet[random.below(std::size(kAlphabet))];
}

inline std::u32string random_text(Random& random, std::size_t max_length) {
  std::u32string text(random.below(max_length + 1), U'\0');
  for (char32_t& cp : text) cp = random_code_point(random);
  return text;
}

struct GeneratedOp {
  Operation op;
  std::u32string result;  // the text op must produce from the text it was made for
};

// A random op over `text`, and (independently) the text it should produce.
inline GeneratedOp generate_op(Random& random, std::u32string_view text) {
  GeneratedOp out;
  std::size_t position = 0;
  while (position < text.size() || random.chance(30)) {
    const std::size_t left = text.size() - position;
    const std::size_t choice = random.below(left == 0 ? 1 : 3);
    if (choice == 0) {
      const std::u32string inserted = random_text(random, 4);
      out.op.insert(to_utf8(inserted));
      out.result += inserted;
      if (left == 0) break;
    } else {
      const std::size_t count = random.between(1, std::min<std::size_t>(left, 5));
      if (choice == 1) {
        out.op.retain(count);
        out.result.append(text.substr(position, count));
      } else {
        out.op.erase(count);
      }
      position += count;
    }
  }
  return out;
}

// A keystroke-sized edit: at one random place, insert a little, delete a little, or both.
inline GeneratedOp generate_small_edit(Random& random, std::u32string_view text) {
  GeneratedOp out;
  const std::size_t position = random.below(text.size() + 1);
  const std::size_t erase =
      random.chance(40) ? random.below(std::min<std::size_t>(3, text.size() - position) + 1) : 0;
  const std::u32string inserted = random.chance(75) || erase == 0 ? random_text(random, 3) : std::u32string();
  out.op.retain(position).insert(to_utf8(inserted)).erase(erase).retain(text.size() - position - erase);
  out.result = std::u32string(text.substr(0, position)) + inserted + std::u32string(text.substr(position + erase));
  return out;
}

}  // namespace otter::ot::testing
