// UTF-8 helpers: the unit conversions of ot/ (positions count code points, storage is UTF-8).
//
// Contract
// - is_valid_utf8: true iff the bytes are well-formed UTF-8 per Unicode table 3-7: no
//   overlong forms, no surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
//   sequence. U+0000 is valid.
// - count_code_points / byte_offset_of take valid UTF-8 (they count lead bytes; on invalid
//   input they return a number but never read out of bounds).
// - byte_offset_of(text, i) is the byte offset where code point i starts; i equal to or
//   beyond the code-point count gives text.size().
// - validated_code_points: the code-point count if valid, nullopt otherwise (one pass).
// - replace_invalid_utf8: the text with every byte that starts no well-formed sequence
//   replaced by U+FFFD; valid text comes back unchanged. For quoting untrusted bytes (a
//   percent-decoded URL) in a message that must be UTF-8, such as a JSON error body.
// All are O(n) with an 8-bytes-at-a-time fast path over ASCII.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace otter::ot {

[[nodiscard]] bool is_valid_utf8(std::string_view text) noexcept;
[[nodiscard]] std::optional<std::size_t> validated_code_points(std::string_view text) noexcept;
[[nodiscard]] std::size_t count_code_points(std::string_view text) noexcept;
[[nodiscard]] std::size_t byte_offset_of(std::string_view text, std::size_t code_point_index) noexcept;
[[nodiscard]] std::string replace_invalid_utf8(std::string_view text);

}  // namespace otter::ot
