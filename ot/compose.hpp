// compose: one op with the effect of two ops in sequence.
//
// Law: for every text S with length(S) == a.base_length(),
//      apply(apply(S, a), b) == apply(S, compose(a, b)).
// compose(a, b) is defined iff a.target_length() == b.base_length(); otherwise
// ErrorCode::base_length_mismatch. The result is canonical, with base length
// a.base_length() and target length b.target_length().
// Cost: O(components of a + components of b); allocates only the result.
#pragma once

#include "ot/expected.hpp"
#include "ot/operation.hpp"

namespace otter::ot {

[[nodiscard]] Expected<Operation> compose(const Operation& a, const Operation& b);

}  // namespace otter::ot
