// Cursors and selections through an op (docs/ot.md, "Cursors"). A cursor moves like a
// zero-length insert on its side would: text inserted before it shifts it right, text
// erased before it shifts it left, inside an erased range it moves to the range's start;
// text inserted exactly at it stays after it with "left" and before it with "right".
// Positions past the op's base length are clamped; the result is within [0, targetLength].
import type { Side } from "./algebra.js";
import { codePointLength } from "./codepoints.js";
import type { Operation } from "./operation.js";

export interface Selection {
  anchor: number;
  head: number;
}

export function transformPosition(position: number, op: Operation, side: Side): number {
  position = Math.min(position, op.baseLength);
  let result = position;
  let base = 0; // base-text position of the component being looked at
  for (const c of op.components) {
    if (base > position) break; // everything from here on is after the cursor
    if (typeof c === "string") {
      if (base < position || side === "right") result += codePointLength(c);
    } else if (c > 0) {
      base += c;
    } else {
      if (base === position) return result; // deletes after the cursor: it stays
      result -= Math.min(-c, position - base);
      base += -c;
    }
  }
  return result;
}

export function transformSelection(selection: Selection, op: Operation, side: Side): Selection {
  return {
    anchor: transformPosition(selection.anchor, op, side),
    head: transformPosition(selection.head, op, side),
  };
}
