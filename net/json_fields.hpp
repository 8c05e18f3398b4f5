// Internal to net/'s codec (Boost.JSON inside): reading one message object's fields with
// precise error sentences, and the small JSON helpers the encoders share.
//
// FieldReader keeps the first failure and returns defaults afterwards, so a decoder reads
// its fields in order and checks failed() once at the end; the first bad field is the one
// the client hears about.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include "net/expected.hpp"
#include "net/messages.hpp"

namespace otter::net::detail {

namespace json = boost::json;

// "the string \"abc\"", "-1", "1.5", "true", "null", "an array", "an object": for messages.
[[nodiscard]] std::string describe(const json::value& value);
// At most `max_bytes` of `text`, cut at a code point boundary, with "..." when cut.
[[nodiscard]] std::string truncated(std::string_view text, std::size_t max_bytes = 48);
// The size of `value` written as compact JSON (as json::serialize would), without writing it.
[[nodiscard]] std::size_t compact_json_size(const json::value& value);

// The id a message's "id" field holds, or the invalid_message error refusing it (a number
// with a fraction or an exponent, a string over kMaxRequestIdBytes, anything else).
[[nodiscard]] Expected<RequestId> request_id_from_json(const json::value& value);
[[nodiscard]] json::value to_json(const RequestId& id);

class FieldReader {
 public:
  FieldReader(const json::object& object, std::string_view type) : object_(object), type_(type) {}

  [[nodiscard]] std::string required_string(std::string_view key, std::size_t max_bytes = SIZE_MAX);
  [[nodiscard]] std::optional<std::string> optional_string(std::string_view key,
                                                           std::size_t max_bytes = SIZE_MAX);
  // An integer in [minimum, 2^53 - 1].
  [[nodiscard]] std::uint64_t required_count(std::string_view key, std::uint64_t minimum = 0);
  [[nodiscard]] std::optional<std::uint64_t> optional_count(std::string_view key, std::uint64_t minimum = 0);
  [[nodiscard]] std::int64_t required_integer(std::string_view key);
  [[nodiscard]] bool optional_bool(std::string_view key, bool default_value);
  // "doc": a string (else invalid_message) that is a valid doc id (else invalid_doc_id).
  [[nodiscard]] std::string doc();
  // The raw value, or nullptr (and a "missing" failure if required).
  [[nodiscard]] const json::value* required(std::string_view key);
  [[nodiscard]] const json::value* optional(std::string_view key) const;

  void fail(ErrorCode code, std::string message);
  void fail_type(std::string_view key, std::string_view expected, const json::value& actual);
  [[nodiscard]] bool failed() const noexcept { return failure_.has_value(); }
  // Moves the first failure's code and message into `error` (whose id/doc/seq the caller set).
  [[nodiscard]] ErrorMessage take_error(ErrorMessage error);
  [[nodiscard]] std::string_view type() const noexcept { return type_; }

 private:
  struct Failure {
    ErrorCode code;
    std::string message;
  };

  const json::object& object_;
  std::string_view type_;
  std::optional<Failure> failure_;
};

}  // namespace otter::net::detail
