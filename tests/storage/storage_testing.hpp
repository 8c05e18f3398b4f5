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

namespace otter::storage::testing {

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "otter-storage-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  [[nodiscard]] std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// OTTER_SEED overrides the fixed default, so a failure printed with its seed replays.
inline std::uint64_t test_seed(std::uint64_t default_seed = 20240611) {
  if (const char* env = std::getenv("OTTER_SEED"); env != nullptr && *env != '\0') {
    return std::strtoull(env, nullptr, 10);
  }
  return default_seed;
}

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

inline std::string to_utf8(std::u32string_view text) {
  std::string out;
  for (const char32_t cp : text) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
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
