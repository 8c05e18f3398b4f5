// invert: the op that undoes an op.
//
// Law: for the text S that op was applied to (length(S) == op.base_length()),
//      apply(apply(S, op), invert(op, S)) == S.
// invert needs S because an erase does not carry the text it deletes: the inverse
// re-inserts it. Defined iff op.base_length() == length(S); otherwise
// base_length_mismatch. The result is canonical, with base length op.target_length() and
// target length op.base_length().
// Cost: O(components + length(S)) for the string form, O(components * log n + erased text)
// for the Rope form.
#pragma once

#include <string_view>

#include "ot/expected.hpp"
#include "ot/operation.hpp"

namespace otter::ot {

class Rope;

[[nodiscard]] Expected<Operation> invert(const Operation& op, std::string_view base_text);
[[nodiscard]] Expected<Operation> invert(const Operation& op, const Rope& base_text);

}  // namespace otter::ot
