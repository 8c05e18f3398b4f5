#include "ot/transform.hpp"

#include <algorithm>

#include "ot/component_reader.hpp"

namespace otter::ot {
namespace {

Error length_mismatch(const Operation& a, const Operation& b) {
  return Error{ErrorCode::base_length_mismatch,
               "cannot transform: op base lengths " + std::to_string(a.base_length()) + " and " +
                   std::to_string(b.base_length()) + " differ, so the ops are not concurrent"};
}

// Builds a' always and b' only when `b_prime` is non-null, so the one-sided transform used
// by the server shares this single algorithm.
void transform_into(const Operation& a, const Operation& b, Side a_side, Operation& a_prime, Operation* b_prime) {
  a_prime.reserve(a.components().size() + b.components().size());
  if (b_prime != nullptr) b_prime->reserve(a.components().size() + b.components().size());
  detail::ComponentReader ra(a);
  detail::ComponentReader rb(b);
  while (!ra.done() || !rb.done()) {
    // Inserts first: they consume no base text. When both insert here, the side decides.
    const bool a_inserts = !ra.done() && ra.is_insert();
    const bool b_inserts = !rb.done() && rb.is_insert();
    if (a_inserts && (!b_inserts || a_side == Side::left)) {
      const std::size_t count = ra.remaining();
      a_prime.insert_validated(ra.take_all(), count);
      if (b_prime != nullptr) b_prime->retain(count);
      continue;
    }
    if (b_inserts) {
      const std::size_t count = rb.remaining();
      const std::string_view text = rb.take_all();
      a_prime.retain(count);
      if (b_prime != nullptr) b_prime->insert_validated(text, count);
      continue;
    }
    // Both at a retain/erase over the same base text (equal base lengths: both exist).
    const std::size_t count = std::min(ra.remaining(), rb.remaining());
    const bool a_erases = ra.is_erase();
    const bool b_erases = rb.is_erase();
    ra.take(count);
    rb.take(count);
    if (a_erases && b_erases) continue;  // both deleted it: nothing left to do
    if (a_erases) {
      a_prime.erase(count);  // b kept it, so a' still deletes it
    } else if (b_erases) {
      if (b_prime != nullptr) b_prime->erase(count);
    } else {
      a_prime.retain(count);
      if (b_prime != nullptr) b_prime->retain(count);
    }
  }
}

}  // namespace

Expected<TransformedPair> transform(const Operation& a, const Operation& b, Side a_side) {
  if (a.base_length() != b.base_length()) return length_mismatch(a, b);
  TransformedPair pair;
  transform_into(a, b, a_side, pair.a_prime, &pair.b_prime);
  return pair;
}

Expected<Operation> transform_against(const Operation& a, const Operation& b, Side a_side) {
  if (a.base_length() != b.base_length()) return length_mismatch(a, b);
  Operation a_prime;
  transform_into(a, b, a_side, a_prime, nullptr);
  return a_prime;
}

Expected<void> transform_against(const Operation& a, const Operation& b, Side a_side, Operation& a_prime_out) {
  if (a.base_length() != b.base_length()) return length_mismatch(a, b);
  a_prime_out.clear();
  transform_into(a, b, a_side, a_prime_out, nullptr);
  return {};
}

}  // namespace otter::ot
