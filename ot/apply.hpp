// apply: run an op over a text.
//
// Law: apply(S, op) is defined iff op.base_length() == length(S) (code points), and then
// length(apply(S, op)) == op.target_length().
//
// Contract
// - A base-length mismatch is ErrorCode::base_length_mismatch and leaves the input
//   untouched; it is checked before anything is changed, so a failed apply never leaves a
//   half-applied rope.
// - The text must be valid UTF-8 (the server validates at the edge, the rope holds only
//   valid text); the op's inserts are valid by construction.
// - Call it qualified (ot::apply): with a std::string argument an unqualified call also
//   finds std::apply by argument-dependent lookup and fails to compile.
// - Cost: the std::string form copies the text once (O(n)); the Rope form is O(k log n) for
//   an op of k components, independent of where the edit is.
#pragma once

#include <string>
#include <string_view>

#include "ot/expected.hpp"
#include "ot/operation.hpp"

namespace otter::ot {

class Rope;

[[nodiscard]] Expected<std::string> apply(std::string_view text, const Operation& op);
[[nodiscard]] Expected<void> apply(Rope& text, const Operation& op);

}  // namespace otter::ot
