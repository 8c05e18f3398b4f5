// The checks behind the ot_fuzz libFuzzer target, shared with the regression test
// (tests/ot/fuzz_regressions_test.cpp), which replays the seed corpus and every past find.
//
// Input: <document text> '\0' <op JSON>. Without a NUL the whole input is the op JSON and
// the document is made up to fit the op (base_length() code points of mixed 1- to 4-byte
// characters), so most decoded ops reach the apply path. A document that is not valid
// UTF-8 is skipped (the server validates texts before they reach ot/).
//
// check_ot_fuzz_input returns nullopt when every law held, else the law that broke.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ot/apply.hpp"
#include "ot/compose.hpp"
#include "ot/cursor.hpp"
#include "ot/invert.hpp"
#include "ot/json_codec.hpp"
#include "ot/rope.hpp"
#include "ot/server_document.hpp"
#include "ot/transform.hpp"
#include "ot/utf8.hpp"

namespace otter::ot::fuzz {

struct BrokenLaw {
  const char* law;
};

inline void check(bool holds, const char* law) {
  if (!holds) throw BrokenLaw{law};
}

inline constexpr std::size_t kMaxMadeUpLength = 4096;

inline std::string made_up_text(std::size_t code_points) {
  static constexpr std::string_view kCycle[] = {"a", "\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xCC\x81"};
  std::string text;
  for (std::size_t i = 0; i < code_points; ++i) text += kCycle[i % std::size(kCycle)];
  return text;
}

inline void exercise(std::string_view doc, const Operation& op) {
  const Expected<Operation> again = decode(encode(op));
  check(again.has_value() && *again == op, "decode(encode(op)) == op");

  const Expected<std::string> applied = ot::apply(doc, op);
  Rope rope(doc);
  const Expected<void> applied_to_rope = ot::apply(rope, op);
  check(applied.has_value() == applied_to_rope.has_value(), "string and rope apply agree on errors");
  check(applied.has_value() == (op.base_length() == count_code_points(doc)),
        "apply fails exactly on a base length mismatch");
  if (!applied) {
    check(rope.equals(doc), "a failed apply leaves the rope unchanged");
    return;
  }
  check(rope.equals(*applied), "string and rope apply give the same text");
  check(count_code_points(*applied) == op.target_length(), "length(apply(S, op)) == target_length");

  const Expected<Operation> inverse = invert(op, doc);
  check(inverse.has_value(), "invert succeeds on the op's base text");
  check(ot::apply(*applied, *inverse).value() == doc, "apply(apply(S, op), invert(op, S)) == S");
  const Expected<Operation> round_trip = compose(op, *inverse);
  check(round_trip.has_value() && ot::apply(doc, *round_trip).value() == doc,
        "apply(S, compose(op, invert(op, S))) == S");

  Operation rival;  // a concurrent op replacing the whole text
  rival.erase(op.base_length()).insert("\xF0\x9F\x98\x80");
  for (const Side side : {Side::left, Side::right}) {
    const Expected<TransformedPair> pair = transform(op, rival, side);
    check(pair.has_value(), "transform of ops with equal base lengths succeeds");
    check(
        ot::apply(*applied, pair->b_prime).value() == ot::apply(ot::apply(doc, rival).value(), pair->a_prime).value(),
        "TP1 against a whole-text replacement");
    const Expected<TransformedPair> self = transform(op, op, side);
    check(self.has_value(), "transform of an op with itself succeeds");
    check(ot::apply(*applied, self->b_prime).value() == ot::apply(*applied, self->a_prime).value(),
          "TP1 of an op with itself");
  }

  for (const std::size_t position : {std::size_t{0}, op.base_length() / 2, op.base_length(), op.base_length() + 3}) {
    check(transform_position(position, op, Side::left) <= op.target_length() &&
              transform_position(position, op, Side::right) <= op.target_length(),
          "a transformed cursor stays inside the text");
  }

  // The server path: at head, then the same op as a stale concurrent edit, then a resend.
  Expected<ServerDocument> server = ServerDocument::load(doc, 0);
  check(server.has_value(), "a valid text loads");
  check(server->submit("fuzz", 1, 0, op).has_value(), "the server applies an op that fits");
  check(server->text() == *applied, "the server's text is apply(S, op)");
  check(server->submit("other", 1, 0, op).has_value(), "the server transforms a stale op");
  check(server->submit("fuzz", 1, 0, op).value().duplicate, "a resend is a duplicate");
}

inline std::optional<std::string> check_ot_fuzz_input(std::string_view input) {
  try {
    const std::size_t nul = input.find('\0');
    const bool has_doc = nul != std::string_view::npos;
    const std::string_view given_doc = has_doc ? input.substr(0, nul) : std::string_view();
    const std::string_view json = has_doc ? input.substr(nul + 1) : input;
    if (!is_valid_utf8(given_doc)) return std::nullopt;
    const Expected<Operation> op = decode(json);
    if (!op) {
      check(!to_string(op.error().code).empty() && !op.error().message.empty(), "errors have a code and a message");
      return std::nullopt;
    }
    if (has_doc) {
      exercise(given_doc, *op);
    } else if (op->base_length() <= kMaxMadeUpLength) {
      exercise(made_up_text(op->base_length()), *op);
    }
  } catch (const BrokenLaw& broken) {
    return std::string(broken.law);
  }
  return std::nullopt;
}

}  // namespace otter::ot::fuzz
