#include "storage/document_id.hpp"

#include <string>

namespace otter::storage {
namespace {

bool is_alphanumeric(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_allowed(char c) noexcept { return is_alphanumeric(c) || c == '.' || c == '_' || c == '-'; }

// The offending byte as a person reads it: 'x' when printable ASCII, else 0xNN.
std::string describe_byte(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7F) return std::string("'") + c + "'";
  constexpr std::string_view kHex = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[byte >> 4] + kHex[byte & 0xF];
}

}  // namespace

Expected<void> validate_document_id(std::string_view id) {
  if (id.empty()) return Error{ErrorCode::invalid_document_id, "document id is empty"};
  if (id.size() > kMaxDocumentIdLength) {
    return Error{ErrorCode::invalid_document_id, "document id is " + std::to_string(id.size()) +
                                                     " bytes long; the limit is " +
                                                     std::to_string(kMaxDocumentIdLength)};
  }
  if (!is_alphanumeric(id.front())) {
    return Error{ErrorCode::invalid_document_id,
                 "document id must start with a letter or digit, not " + describe_byte(id.front())};
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    if (!is_allowed(id[i])) {
      return Error{ErrorCode::invalid_document_id, "document id contains " + describe_byte(id[i]) + " at offset " +
                                                       std::to_string(i) + "; allowed are A-Z a-z 0-9 . _ -"};
    }
  }
  return {};
}

}  // namespace otter::storage
