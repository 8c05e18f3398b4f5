#include "ot/json_codec.hpp"

#include <array>
#include <boost/json.hpp>
#include <cstdint>
#include <limits>

#include "ot/utf8.hpp"

namespace otter::ot {
namespace {

namespace json = boost::json;

Error malformed(std::size_t index, std::string_view what) {
  return Error{ErrorCode::malformed_op, "component at index " + std::to_string(index) + " " + std::string(what)};
}

Error too_large(std::size_t index, std::string_view what) {
  return Error{ErrorCode::op_too_large, "component at index " + std::to_string(index) + " " + std::string(what) +
                                            " the maximum length " + std::to_string(kMaxLength)};
}

// Running totals, checked before each builder call so the builders' own limit checks
// (exceptions, meant for programmer errors) never fire on wire input.
struct Lengths {
  std::size_t base = 0;
  std::size_t target = 0;
};

Expected<void> add_count(Operation& op, Lengths& lengths, std::size_t index, std::uint64_t count, bool is_retain) {
  if (count > kMaxLength) return too_large(index, "has count " + std::to_string(count) + ", more than");
  if (count > kMaxLength - lengths.base) return too_large(index, "makes the op's base length exceed");
  if (is_retain) {
    if (count > kMaxLength - lengths.target) {
      return too_large(index, "makes the op's target length exceed");
    }
    lengths.target += count;
    op.retain(count);
  } else {
    op.erase(count);
  }
  lengths.base += count;
  return {};
}

}  // namespace

json::value to_json(const Operation& op) {
  json::array components;
  components.reserve(op.components().size());
  for (const Component& c : op.components()) {
    switch (c.kind()) {
      case ComponentKind::retain:
        components.emplace_back(static_cast<std::int64_t>(c.length()));
        break;
      case ComponentKind::erase:
        components.emplace_back(-static_cast<std::int64_t>(c.length()));
        break;
      case ComponentKind::insert:
        components.emplace_back(json::string_view(c.text()));
        break;
    }
  }
  return components;
}

std::string encode(const Operation& op) { return json::serialize(to_json(op)); }

Expected<Operation> from_json(const json::value& value) {
  const json::array* components = value.if_array();
  if (components == nullptr) {
    return Error{ErrorCode::malformed_op,
                 "an op must be a JSON array of components, not " + std::string(json::to_string(value.kind()))};
  }
  Operation op;
  op.reserve(components->size());
  Lengths lengths;
  for (std::size_t index = 0; index < components->size(); ++index) {
    const json::value& item = (*components)[index];
    switch (item.kind()) {
      case json::kind::int64: {
        const std::int64_t n = item.get_int64();
        if (n == 0) return malformed(index, "is 0; zero-length components are not allowed");
        // -(n + 1) + 1 avoids negating INT64_MIN.
        const std::uint64_t count = n > 0 ? static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(-(n + 1)) + 1;
        if (Expected<void> added = add_count(op, lengths, index, count, n > 0); !added) {
          return std::move(added).error();
        }
        break;
      }
      case json::kind::uint64:  // only values above INT64_MAX parse as uint64
        return too_large(index, "has count " + std::to_string(item.get_uint64()) + ", more than");
      case json::kind::double_:
        return malformed(index,
                         "is not an integer (a fraction, an exponent, or out of range); "
                         "counts must be integers");
      case json::kind::string: {
        const json::string& text = item.get_string();
        const std::string_view utf8(text.data(), text.size());
        if (utf8.empty()) return malformed(index, "is an empty insert; zero-length components are not allowed");
        const std::optional<std::size_t> code_points = validated_code_points(utf8);
        if (!code_points) {
          return Error{ErrorCode::invalid_utf8,
                       "component at index " + std::to_string(index) + " inserts text that is not valid UTF-8"};
        }
        if (*code_points > kMaxLength - lengths.target) {
          return too_large(index, "makes the op's target length exceed");
        }
        lengths.target += *code_points;
        op.insert_validated(utf8, *code_points);
        break;
      }
      default:
        return malformed(index, "is " + std::string(json::to_string(item.kind())) +
                                    "; a component is an integer (retain n, delete -n) or a string (insert)");
    }
  }
  return op;
}

Expected<Operation> decode(std::string_view json_text) {
  // Small ops (the common case: one keystroke) parse without touching the heap.
  std::array<unsigned char, 4096> buffer;
  json::monotonic_resource resource(buffer.data(), buffer.size());
  json::error_code ec;
  const json::value value = json::parse(json::string_view(json_text.data(), json_text.size()), ec, &resource);
  if (ec) {
    if (!is_valid_utf8(json_text)) {
      return Error{ErrorCode::invalid_utf8, "the op's JSON text is not valid UTF-8"};
    }
    return Error{ErrorCode::invalid_json, "the op is not valid JSON: " + ec.message()};
  }
  return from_json(value);
}

}  // namespace otter::ot
