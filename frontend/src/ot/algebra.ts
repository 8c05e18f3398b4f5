// The op algebra — apply, compose, transform, invert — with the laws of docs/ot.md, the
// same algorithms as the C++ engine (ot/apply.cpp, compose.cpp, transform.cpp, invert.cpp),
// so both sides of the wire compute identical canonical ops.
//
//   apply(S, op)          defined iff op.baseLength == length(S)
//   compose(a, b)         apply(apply(S, a), b) == apply(S, compose(a, b)); iff a.targetLength == b.baseLength
//   transform(a, b, side) apply(apply(S, a), b') == apply(apply(S, b), a') (TP1); iff equal base lengths
//   invert(op, S)         apply(apply(S, op), invert(op, S)) == S
//
// A failed precondition throws OtError base_length_mismatch; inputs are never changed.
// Side: where a's insert goes when both ops insert at one place ("left": a's text first).
import { codePointLength, utf16IndexAfter } from "./codepoints.js";
import { ComponentReader } from "./component_reader.js";
import { OtError } from "./errors.js";
import { Operation } from "./operation.js";

export type Side = "left" | "right";

/** The text `op` makes of `text` (positions in code points). */
export function apply(text: string, op: Operation): string {
  const length = codePointLength(text);
  if (op.baseLength !== length) {
    throw new OtError(
      "base_length_mismatch",
      `op base length ${op.baseLength} does not match document length ${length}`,
    );
  }
  const parts: string[] = [];
  let at = 0; // UTF-16 index into text
  for (const c of op.components) {
    if (typeof c === "string") {
      parts.push(c);
    } else if (c > 0) {
      const end = utf16IndexAfter(text, at, c);
      parts.push(text.slice(at, end));
      at = end;
    } else {
      at = utf16IndexAfter(text, at, -c);
    }
  }
  return parts.join("");
}

export function compose(a: Operation, b: Operation): Operation {
  if (a.targetLength !== b.baseLength) {
    throw new OtError(
      "base_length_mismatch",
      `cannot compose: the first op's target length ${a.targetLength} does not match the second op's base length ${b.baseLength}`,
    );
  }
  const result = new Operation();
  const ra = new ComponentReader(a);
  const rb = new ComponentReader(b);
  while (!ra.done() || !rb.done()) {
    // a's erases touch text b never sees; b's inserts add text a never saw.
    if (!ra.done() && ra.isErase()) {
      result.erase(ra.remaining());
      ra.takeAll();
      continue;
    }
    if (!rb.done() && rb.isInsert()) {
      const count = rb.remaining();
      result.insertCounted(rb.takeAll(), count);
      continue;
    }
    // a at a retain/insert, b at a retain/erase, over the same text.
    const count = Math.min(ra.remaining(), rb.remaining());
    const aInserts = ra.isInsert();
    const bErases = rb.isErase();
    const text = ra.take(count);
    rb.take(count);
    if (aInserts && bErases) continue; // inserted, then deleted: nothing at all
    if (aInserts) result.insertCounted(text, count);
    else if (bErases) result.erase(count);
    else result.retain(count);
  }
  return result;
}

export interface TransformedPair {
  aPrime: Operation; // a, to apply after b
  bPrime: Operation; // b, to apply after a
}

export function transform(a: Operation, b: Operation, aSide: Side): TransformedPair {
  if (a.baseLength !== b.baseLength) {
    throw new OtError(
      "base_length_mismatch",
      `cannot transform: op base lengths ${a.baseLength} and ${b.baseLength} differ, so the ops are not concurrent`,
    );
  }
  const aPrime = new Operation();
  const bPrime = new Operation();
  const ra = new ComponentReader(a);
  const rb = new ComponentReader(b);
  while (!ra.done() || !rb.done()) {
    // Inserts first: they consume no base text. When both insert here, the side decides.
    const aInserts = !ra.done() && ra.isInsert();
    const bInserts = !rb.done() && rb.isInsert();
    if (aInserts && (!bInserts || aSide === "left")) {
      const count = ra.remaining();
      aPrime.insertCounted(ra.takeAll(), count);
      bPrime.retain(count);
      continue;
    }
    if (bInserts) {
      const count = rb.remaining();
      bPrime.insertCounted(rb.takeAll(), count);
      aPrime.retain(count);
      continue;
    }
    const count = Math.min(ra.remaining(), rb.remaining());
    const aErases = ra.isErase();
    const bErases = rb.isErase();
    ra.take(count);
    rb.take(count);
    if (aErases && bErases) continue; // both deleted it
    if (aErases) aPrime.erase(count);
    else if (bErases) bPrime.erase(count);
    else {
      aPrime.retain(count);
      bPrime.retain(count);
    }
  }
  return { aPrime, bPrime };
}

/** The op that undoes `op` on the text it applied to. */
export function invert(op: Operation, text: string): Operation {
  const length = codePointLength(text);
  if (op.baseLength !== length) {
    throw new OtError(
      "base_length_mismatch",
      `cannot invert: op base length ${op.baseLength} does not match document length ${length}`,
    );
  }
  const inverse = new Operation();
  let at = 0;
  for (const c of op.components) {
    if (typeof c === "string") {
      inverse.erase(codePointLength(c));
    } else if (c > 0) {
      inverse.retain(c);
      at = utf16IndexAfter(text, at, c);
    } else {
      const end = utf16IndexAfter(text, at, -c);
      inverse.insertCounted(text.slice(at, end), -c);
      at = end;
    }
  }
  return inverse;
}
