// transform: make two concurrent ops (both written against the same text) applicable one
// after the other.
//
// Law (TP1): for every text S with length(S) == a.base_length() == b.base_length(),
// with {a', b'} = transform(a, b, side):
//      apply(apply(S, a), b') == apply(apply(S, b), a').
// Defined iff a.base_length() == b.base_length(); otherwise base_length_mismatch.
//
// Tie-break: when a and b insert at the same position, `a_side` says where a's text goes:
// Side::left puts a's insert before b's, Side::right after. transform(a, b, left) and
// transform(b, a, right) give the same pair (swapped), so two sites that agree on which op
// is "left" converge.
//
// Otter's rule, used by RevisionLog and Client alike: the op the server has not ordered
// yet (an incoming submission; a client's own pending op) is Side::left, the op already in
// the server's history is right.
//
// transform_against(a, b, side) is transform(a, b, side).a_prime without building b'
// (the server only needs a'). The overload with `a_prime_out` writes into an existing op
// (cleared first, its capacity reused), so a loop transforming one op through many
// allocates nothing once warm; on error `a_prime_out` is left untouched. It must not be
// a or b.
// Cost: O(components of a + components of b); allocates only the result(s).
#pragma once

#include "ot/expected.hpp"
#include "ot/operation.hpp"

namespace otter::ot {

enum class Side : unsigned char { left, right };

struct TransformedPair {
  Operation a_prime;  // a, rewritten to apply after b
  Operation b_prime;  // b, rewritten to apply after a
};

[[nodiscard]] Expected<TransformedPair> transform(const Operation& a, const Operation& b, Side a_side);
[[nodiscard]] Expected<Operation> transform_against(const Operation& a, const Operation& b, Side a_side);
[[nodiscard]] Expected<void> transform_against(const Operation& a, const Operation& b, Side a_side,
                                               Operation& a_prime_out);

}  // namespace otter::ot
