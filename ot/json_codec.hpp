// JSON codec for ops: the wire form, ot.js convention, counts in code points.
//
//   [5, "abc", -2]  =  retain 5, insert "abc", delete 2
//
// - A positive integer n is retain n; a string s is insert s; a negative integer -n is
//   delete n. The op spans the whole document: no trailing retain is implied, so the base
//   length is the sum of retains and deletes ([] is the op on the empty text).
// - decode / from_json accept any order and split of components and return the canonical
//   op ([1, 2] → [3]; [-1, "a"] → ["a", -1]); encode / to_json always write canonical form,
//   so decode(encode(op)) == op and encode(decode(s)) is canonical.
// - Rejected, as errors not exceptions: text that is not JSON (invalid_json, or
//   invalid_utf8 if the text is not UTF-8); a value that is not an array, a component that
//   is not an integer or a string, a float (even 2.0), a zero, an empty string
//   (malformed_op); an insert that is not valid UTF-8 (invalid_utf8); a count, or a running
//   base/target length, beyond kMaxLength = 2^53 - 1 (op_too_large).
// Boost.JSON is used only behind this header: callers that want boost::json::value include
// <boost/json.hpp> themselves.
#pragma once

#include <string>
#include <string_view>

#include "ot/expected.hpp"
#include "ot/operation.hpp"

namespace boost::json {
class value;
}  // namespace boost::json

namespace otter::ot {

[[nodiscard]] boost::json::value to_json(const Operation& op);
[[nodiscard]] std::string encode(const Operation& op);
[[nodiscard]] Expected<Operation> from_json(const boost::json::value& json);
[[nodiscard]] Expected<Operation> decode(std::string_view json_text);

}  // namespace otter::ot
