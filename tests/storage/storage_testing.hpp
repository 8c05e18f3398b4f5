// Test helpers for storage/: a fresh temporary directory per test (removed after), the
// seed of property tests, and ops whose resulting text the test computes on its own,
// code point by code point, never through the code under test.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

#include "ot/operation.hpp"
#include "storage/records.hpp"
#include "storage/sqlite_store.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_seed.hpp"
#include "tests/support/utf8_text.hpp"

namespace otter::storage::testing {

using otter::testing::TempDir;
using otter::testing::test_seed;
using otter::testing::to_utf8;

inline std::unique_ptr<SqliteStore> open_store(const std::string& path, SqliteOptions options = {}) {
  Expected<std::unique_ptr<SqliteStore>> store = SqliteStore::open(path, options);
  if (!store) throw std::runtime_error("open failed: " + store.error().message);
  return std::move(*store);
}

// The op that appends `text` to a document of `length` code points.
inline ot::Operation append_op(std::size_t length, std::string_view text) {
  ot::Operation op;
  op.retain(length).insert(text);
  return op;
}

inline StoredOp stored(std::uint64_t revision, ot::Operation op, std::string client_id = "client-a",
                       std::uint64_t seq = 0) {
  return StoredOp{revision, std::move(client_id), seq == 0 ? revision : seq, std::move(op), now_timestamp()};
}

// Random edits over a text held as code points: each edit() returns an op for the current
// text and updates the text to what that op must produce.
class RandomEditor {
 public:
  explicit RandomEditor(std::uint64_t seed) : engine_(seed) {}

  ot::Operation edit() {
    const std::size_t length = text_.size();
    const std::size_t position = below(length + 1);
    const std::size_t erased = chance(40) ? below(std::min<std::size_t>(length - position, 6) + 1) : 0;
    std::u32string inserted;
    const std::size_t inserted_count = chance(80) ? 1 + below(5) : 0;
    for (std::size_t i = 0; i < inserted_count; ++i) inserted += random_code_point();

    ot::Operation op;
    op.retain(position).insert(to_utf8(inserted)).erase(erased).retain(length - position - erased);
    text_.replace(position, erased, inserted);
    return op;
  }

  [[nodiscard]] std::string text() const { return to_utf8(text_); }
  std::size_t below(std::size_t bound) { return static_cast<std::size_t>(engine_() % bound); }
  bool chance(std::size_t percent) { return below(100) < percent; }

 private:
  char32_t random_code_point() {
    // ASCII, two-, three- and four-byte UTF-8: every width the store must carry intact.
    static constexpr char32_t kPool[] = {U'a', U'b', U'Z', U' ', U'\n', U'é', U'ß', U'Ж', U'€', U'中', U'😀', U'𝄞'};
    return kPool[below(std::size(kPool))];
  }

  std::mt19937_64 engine_;
  std::u32string text_;
};

}  // namespace otter::storage::testing
