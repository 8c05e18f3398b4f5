// Document ids: what the storage layer accepts as the name of a document.
//
// Rule: 1 to 128 bytes of [A-Za-z0-9._-], starting with a letter or digit.
// - ASCII only, so an id is the same string in a URL path, a SQL key, a log line, a file
//   name and a Prometheus label, with no escaping and no Unicode normalisation question.
// - The first character is alphanumeric, so "." and ".." (path traversal when an id
//   lands in a URL or a file name) and "-x" (read as an option by a CLI) are impossible.
// - Case-sensitive: "Notes" and "notes" are two documents.
// Every Store operation validates its id first (ErrorCode::invalid_document_id); the
// server validates ids at the edge with the same function.
#pragma once

#include <cstddef>
#include <string_view>

#include "storage/expected.hpp"

namespace otter::storage {

inline constexpr std::size_t kMaxDocumentIdLength = 128;

[[nodiscard]] Expected<void> validate_document_id(std::string_view id);

}  // namespace otter::storage
