#include "ot/utf8.hpp"

#include <cstdint>
#include <cstring>

namespace otter::ot {
namespace {

constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Loads 8 bytes without alignment requirements (memcpy compiles to one load).
std::uint64_t load8(const char* p) noexcept {
  std::uint64_t word = 0;
  std::memcpy(&word, p, sizeof word);
  return word;
}

bool is_continuation(unsigned char byte) noexcept { return (byte & 0xC0U) == 0x80U; }

// Length of the well-formed sequence starting at text[i], or 0 if it is malformed.
// Ranges from Unicode table 3-7 (well-formed UTF-8 byte sequences).
std::size_t sequence_length(std::string_view text, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  const std::size_t left = text.size() - i;
  if (lead < 0x80U) return 1;
  if (lead < 0xC2U) return 0;  // continuation byte or overlong 2-byte lead
  if (lead < 0xE0U) return (left >= 2 && is_continuation(byte(1))) ? 2 : 0;
  if (lead < 0xF0U) {
    if (left < 3) return 0;
    const unsigned char second = byte(1);
    const unsigned char lo = lead == 0xE0U ? 0xA0U : 0x80U;  // E0: no overlongs
    const unsigned char hi = lead == 0xEDU ? 0x9FU : 0xBFU;  // ED: no surrogates
    return (second >= lo && second <= hi && is_continuation(byte(2))) ? 3 : 0;
  }
  if (lead < 0xF5U) {
    if (left < 4) return 0;
    const unsigned char second = byte(1);
    const unsigned char lo = lead == 0xF0U ? 0x90U : 0x80U;  // F0: no overlongs
    const unsigned char hi = lead == 0xF4U ? 0x8FU : 0xBFU;  // F4: nothing above U+10FFFF
    return (second >= lo && second <= hi && is_continuation(byte(2)) && is_continuation(byte(3))) ? 4 : 0;
  }
  return 0;
}

}  // namespace

std::optional<std::size_t> validated_code_points(std::string_view text) noexcept {
  std::size_t count = 0;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    if (i + 8 <= n && (load8(text.data() + i) & kHighBits) == 0) {
      i += 8;
      count += 8;
      continue;
    }
    const std::size_t len = sequence_length(text, i);
    if (len == 0) return std::nullopt;
    i += len;
    ++count;
  }
  return count;
}

bool is_valid_utf8(std::string_view text) noexcept { return validated_code_points(text).has_value(); }

std::string replace_invalid_utf8(std::string_view text) {
  if (is_valid_utf8(text)) return std::string(text);
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t len = sequence_length(text, i);
    if (len == 0) {
      out += kReplacement;
      ++i;
    } else {
      out += text.substr(i, len);
      i += len;
    }
  }
  return out;
}

std::size_t count_code_points(std::string_view text) noexcept {
  std::size_t count = 0;
  std::size_t i = 0;
  const std::size_t n = text.size();
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t word = load8(text.data() + i);
    if ((word & kHighBits) == 0) {
      count += 8;
      continue;
    }
    for (std::size_t k = 0; k < 8; ++k) {
      count += is_continuation(static_cast<unsigned char>(text[i + k])) ? 0 : 1;
    }
  }
  for (; i < n; ++i) count += is_continuation(static_cast<unsigned char>(text[i])) ? 0 : 1;
  return count;
}

std::size_t byte_offset_of(std::string_view text, std::size_t code_point_index) noexcept {
  std::size_t i = 0;
  const std::size_t n = text.size();
  std::size_t remaining = code_point_index;
  while (remaining > 0 && i < n) {
    if (remaining >= 8 && i + 8 <= n && (load8(text.data() + i) & kHighBits) == 0) {
      i += 8;
      remaining -= 8;
      continue;
    }
    // Step over one code point: its lead byte, then its continuation bytes.
    ++i;
    while (i < n && is_continuation(static_cast<unsigned char>(text[i]))) ++i;
    --remaining;
  }
  return i;
}

}  // namespace otter::ot
