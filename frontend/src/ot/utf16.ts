// The edge between CodeMirror (UTF-16 offsets) and Otter (code points): CodeMirror counts
// positions in UTF-16 code units, the wire counts code points (DESIGN.md, "Text and
// positions"), so every edit and cursor crossing the edge is converted here, and nowhere else.
//
// Contract
// - TextLike is what is needed of a document: its UTF-16 length and sliceString(from, to).
//   CodeMirror's Text has both; stringText() wraps a plain string.
// - changesToOp(): CodeMirror changes, sorted and non-overlapping, in UTF-16 offsets of the
//   old text → the op, whose base length is `oldLength` code points. Throws OtError
//   invalid_utf8 if an inserted text has a lone surrogate or a change starts or ends between
//   the halves of a surrogate pair (such text cannot be sent: it has no UTF-8 form).
// - opToChanges(): an op in code points → CodeMirror change specs, in UTF-16 offsets of the
//   text the op applies to (the form state.changes() takes). Throws base_length_mismatch if
//   the op runs past the end of the text.
// - Conversions cost O(position) in UTF-16 units scanned once per call; a batch of positions
//   is converted in one pass.
import { codePointLength, loneSurrogateIndex, splitsSurrogatePair, utf16IndexAfter } from "./codepoints.js";
import { OtError } from "./errors.js";
import { Operation } from "./operation.js";

export interface TextLike {
  readonly length: number;
  sliceString(from: number, to?: number): string;
}

export function stringText(s: string): TextLike {
  return { length: s.length, sliceString: (from, to) => s.slice(from, to) };
}

export interface Utf16Change {
  fromA: number; // UTF-16 offsets in the old text
  toA: number;
  inserted: string;
}

export interface ChangeSpec {
  from: number;
  to: number;
  insert: string;
}

// Walks a text forwards, keeping a UTF-16 offset and the code-point offset it stands for.
class Walker {
  u16 = 0;
  cp = 0;
  constructor(private readonly text: TextLike) {}

  toUtf16(target: number): void {
    if (target < this.u16) throw new RangeError("positions must be visited in increasing order");
    // Read one unit on each side so a boundary inside a surrogate pair can be seen.
    const from = Math.max(0, this.u16 - 1);
    const to = Math.min(this.text.length, target + 1);
    const slice = this.text.sliceString(from, to);
    const start = this.u16 - from;
    const end = target - from;
    if (splitsSurrogatePair(slice, end)) {
      throw new OtError("invalid_utf8", `UTF-16 offset ${target} splits a surrogate pair`);
    }
    // A pair that starts just before u16 was counted already; counting from `start` is exact
    // because u16 itself never splits a pair.
    this.cp += codePointLength(slice, start, end);
    this.u16 = target;
  }

  byCodePoints(count: number): void {
    if (count === 0) return;
    const to = Math.min(this.text.length, this.u16 + 2 * count);
    const slice = this.text.sliceString(this.u16, to);
    const end = utf16IndexAfter(slice, 0, count);
    if (codePointLength(slice, 0, end) !== count) {
      throw new OtError("base_length_mismatch", "the op runs past the end of the text");
    }
    this.u16 += end;
    this.cp += count;
  }
}

export function changesToOp(oldText: TextLike, oldLength: number, changes: Iterable<Utf16Change>): Operation {
  const op = new Operation();
  const walker = new Walker(oldText);
  for (const change of changes) {
    const lone = loneSurrogateIndex(change.inserted);
    if (lone >= 0) {
      throw new OtError("invalid_utf8", `inserted text has a lone surrogate at UTF-16 index ${lone}`);
    }
    const before = walker.cp;
    walker.toUtf16(change.fromA);
    op.retain(walker.cp - before);
    op.insertCounted(change.inserted, codePointLength(change.inserted));
    const start = walker.cp;
    walker.toUtf16(change.toA);
    op.erase(walker.cp - start);
  }
  if (oldLength < walker.cp) {
    throw new OtError("base_length_mismatch", `the changes reach past the text's ${oldLength} code points`);
  }
  op.retain(oldLength - walker.cp);
  return op;
}

export function opToChanges(text: TextLike, op: Operation): ChangeSpec[] {
  const changes: ChangeSpec[] = [];
  const walker = new Walker(text);
  let pending: ChangeSpec | null = null; // an insert waiting for the erase after it
  const flush = (): void => {
    if (pending) changes.push(pending);
    pending = null;
  };
  const components = op.components;
  for (let i = 0; i < components.length; i++) {
    const c = components[i]!;
    if (typeof c === "string") {
      flush();
      pending = { from: walker.u16, to: walker.u16, insert: c };
    } else if (c > 0) {
      flush();
      if (i + 1 < components.length) walker.byCodePoints(c); // a trailing retain needs no walk
    } else {
      const from = walker.u16;
      walker.byCodePoints(-c);
      if (pending) pending.to = walker.u16;
      else pending = { from, to: walker.u16, insert: "" };
      flush();
    }
  }
  flush();
  return changes;
}

/** UTF-16 offsets → code points, for any number of positions, in one pass. */
export function utf16ToCodePoints(text: TextLike, positions: readonly number[]): number[] {
  const order = positions.map((_, i) => i).sort((a, b) => positions[a]! - positions[b]!);
  const result = new Array<number>(positions.length);
  const walker = new Walker(text);
  for (const i of order) {
    const target = Math.min(Math.max(0, positions[i]!), text.length);
    // A position inside a pair (CodeMirror never puts a cursor there) counts from the pair's start.
    const slice = text.sliceString(Math.max(0, target - 1), Math.min(text.length, target + 1));
    walker.toUtf16(splitsSurrogatePair(slice, target > 0 ? 1 : 0) ? target - 1 : target);
    result[i] = walker.cp;
  }
  return result;
}

/** Code points → UTF-16 offsets, for any number of positions, in one pass; clamped to the text. */
export function codePointsToUtf16(text: TextLike, positions: readonly number[]): number[] {
  const order = positions.map((_, i) => i).sort((a, b) => positions[a]! - positions[b]!);
  const result = new Array<number>(positions.length);
  let u16 = 0;
  let cp = 0;
  for (const i of order) {
    const target = Math.max(0, positions[i]!);
    if (target > cp) {
      const slice = text.sliceString(u16, Math.min(text.length, u16 + 2 * (target - cp)));
      const end = utf16IndexAfter(slice, 0, target - cp);
      cp += codePointLength(slice, 0, end);
      u16 += end;
    }
    result[i] = u16;
  }
  return result;
}
