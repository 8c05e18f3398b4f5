#include "net/json_fields.hpp"

#include "net/protocol.hpp"

namespace otter::net::detail {
namespace {

std::string quoted(std::string_view key) { return "\"" + std::string(key) + "\""; }

std::size_t decimal_digits(std::uint64_t n) {
  std::size_t digits = 1;
  while (n >= 10) {
    n /= 10;
    ++digits;
  }
  return digits;
}

// The escaped size of a string's contents, matching Boost.JSON's serializer: quote and
// backslash and \b \f \n \r \t take 2 bytes, other control characters 6 (\u00XX).
std::size_t escaped_size(std::string_view text) {
  std::size_t size = 0;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
      size += 2;
    } else if (byte < 0x20) {
      size += 6;
    } else {
      size += 1;
    }
  }
  return size;
}

}  // namespace

std::string truncated(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes;
  // Back up over continuation bytes (10xxxxxx) so a code point is never split.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0U) == 0x80U) --end;
  return std::string(text.substr(0, end)) + "...";
}

std::string describe(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string: {
      const json::string& text = value.get_string();
      return "the string \"" + truncated(std::string_view(text.data(), text.size())) + "\"";
    }
    case json::kind::int64: return std::to_string(value.get_int64());
    case json::kind::uint64: return std::to_string(value.get_uint64());
    // Fractions, exponents and integers beyond 64 bits all parse as doubles.
    case json::kind::double_: return "the non-integer number " + json::serialize(value);
    case json::kind::bool_: return value.get_bool() ? "true" : "false";
    case json::kind::null: return "null";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

std::size_t compact_json_size(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string: {
      const json::string& text = value.get_string();
      return 2 + escaped_size(std::string_view(text.data(), text.size()));
    }
    case json::kind::int64: {
      const std::int64_t n = value.get_int64();
      // -(n + 1) + 1 avoids negating INT64_MIN.
      return n < 0 ? 1 + decimal_digits(static_cast<std::uint64_t>(-(n + 1)) + 1)
                   : decimal_digits(static_cast<std::uint64_t>(n));
    }
    case json::kind::uint64: return decimal_digits(value.get_uint64());
    case json::kind::array: {
      const json::array& items = value.get_array();
      std::size_t size = 2 + (items.empty() ? 0 : items.size() - 1);  // brackets and commas
      for (const json::value& item : items) size += compact_json_size(item);
      return size;
    }
    default: return json::serialize(value).size();  // rare in an op, and an invalid one
  }
}

Expected<RequestId> request_id_from_json(const json::value& value) {
  switch (value.kind()) {
    case json::kind::int64: return RequestId(value.get_int64());
    case json::kind::uint64: return RequestId(value.get_uint64());
    case json::kind::string:
      if (value.get_string().size() <= kMaxRequestIdBytes) return RequestId(std::string(value.get_string()));
      return make_error(ErrorCode::invalid_message, "field \"id\" must be at most " + std::to_string(kMaxRequestIdBytes) +
                                                        " bytes, not " + std::to_string(value.get_string().size()));
    default:
      return make_error(ErrorCode::invalid_message,
                        "field \"id\" must be an integer or a string, not " + describe(value));
  }
}

json::value to_json(const RequestId& id) {
  return std::visit([](const auto& v) -> json::value { return json::value(v); }, id.value());
}

const json::value* FieldReader::optional(std::string_view key) const {
  const json::value* value = object_.if_contains(json::string_view(key.data(), key.size()));
  return value;
}

const json::value* FieldReader::required(std::string_view key) {
  if (failed()) return nullptr;
  const json::value* value = optional(key);
  if (value == nullptr) {
    fail(ErrorCode::invalid_message, "the \"" + std::string(type_) + "\" message is missing the field " + quoted(key));
  }
  return value;
}

void FieldReader::fail(ErrorCode code, std::string message) {
  if (!failure_) failure_ = Failure{code, std::move(message)};
}

void FieldReader::fail_type(std::string_view key, std::string_view expected, const json::value& actual) {
  fail(ErrorCode::invalid_message, "the \"" + std::string(type_) + "\" message's field " + quoted(key) +
                                       " must be " + std::string(expected) + ", not " + describe(actual));
}

std::string FieldReader::required_string(std::string_view key, std::size_t max_bytes) {
  const json::value* value = required(key);
  if (value == nullptr) return {};
  std::optional<std::string> text = optional_string(key, max_bytes);
  return text ? std::move(*text) : std::string{};
}

std::optional<std::string> FieldReader::optional_string(std::string_view key, std::size_t max_bytes) {
  if (failed()) return std::nullopt;
  const json::value* value = optional(key);
  if (value == nullptr) return std::nullopt;
  const json::string* text = value->if_string();
  if (text == nullptr) {
    fail_type(key, "a string", *value);
    return std::nullopt;
  }
  if (text->size() > max_bytes) {
    fail(ErrorCode::invalid_message, "the \"" + std::string(type_) + "\" message's field " + quoted(key) + " is " +
                                         std::to_string(text->size()) + " bytes long; the limit is " +
                                         std::to_string(max_bytes));
    return std::nullopt;
  }
  return std::string(text->data(), text->size());
}

std::optional<std::uint64_t> FieldReader::optional_count(std::string_view key, std::uint64_t minimum) {
  if (failed()) return std::nullopt;
  const json::value* value = optional(key);
  if (value == nullptr) return std::nullopt;
  const std::string expected = "an integer from " + std::to_string(minimum) + " to " + std::to_string(kMaxWireInteger);
  if (const std::int64_t* n = value->if_int64(); n != nullptr && *n >= 0 &&
                                                  static_cast<std::uint64_t>(*n) >= minimum &&
                                                  static_cast<std::uint64_t>(*n) <= kMaxWireInteger) {
    return static_cast<std::uint64_t>(*n);
  }
  fail_type(key, expected, *value);
  return std::nullopt;
}

std::uint64_t FieldReader::required_count(std::string_view key, std::uint64_t minimum) {
  if (required(key) == nullptr) return 0;
  return optional_count(key, minimum).value_or(0);
}

std::int64_t FieldReader::required_integer(std::string_view key) {
  const json::value* value = required(key);
  if (value == nullptr) return 0;
  if (const std::int64_t* n = value->if_int64()) return *n;
  fail_type(key, "an integer", *value);
  return 0;
}

bool FieldReader::optional_bool(std::string_view key, bool default_value) {
  if (failed()) return default_value;
  const json::value* value = optional(key);
  if (value == nullptr) return default_value;
  if (const bool* flag = value->if_bool()) return *flag;
  fail_type(key, "true or false", *value);
  return default_value;
}

std::string FieldReader::doc() {
  std::string doc = required_string("doc");
  if (!failed() && !is_valid_doc_id(doc)) {
    fail(ErrorCode::invalid_doc_id, "doc id \"" + truncated(doc) + "\" must be 1 to " +
                                        std::to_string(kMaxDocIdLength) + " characters of [A-Za-z0-9._-]");
  }
  return doc;
}

ErrorMessage FieldReader::take_error(ErrorMessage error) {
  if (failure_) {
    error.code = failure_->code;
    error.message = std::move(failure_->message);
  }
  return error;
}

}  // namespace otter::net::detail
