// Operation: a plain-text edit in the ot.js wire form, counted in code points (docs/ot.md).
//
//   new Operation().retain(5).insert("abc").erase(2)   // [5, "abc", -2]
//
// Contract
// - An op walks the whole document: baseLength (retains + erases) is the length of the only
//   text it applies to, targetLength (retains + inserts) the length of the result. No
//   trailing retain is implied.
// - Components are kept canonical by the builders, exactly as the C++ Operation keeps them:
//   no empty component, no two neighbours of one kind, and an insert meeting an erase goes
//   first. So ops with the same effect are equal (equals()) and serialise identically.
// - Insert text must be well-formed UTF-16 (no lone surrogate: it has no UTF-8 form);
//   insert() throws OtError invalid_utf8 otherwise. Counts and running lengths beyond
//   2^53 - 1 throw op_too_large.
// - components is the wire form itself: n > 0 retain, n < 0 erase, a string inserts.
//   Treat it as read-only.
import { codePointLength, loneSurrogateIndex } from "./codepoints.js";
import { MAX_LENGTH, OtError } from "./errors.js";

export type Component = number | string;

export const isRetain = (c: Component): c is number => typeof c === "number" && c > 0;
export const isErase = (c: Component): c is number => typeof c === "number" && c < 0;
export const isInsert = (c: Component): c is string => typeof c === "string";

function checkLength(n: number): void {
  if (n > MAX_LENGTH) throw new OtError("op_too_large", `op length ${n} exceeds the maximum ${MAX_LENGTH}`);
}

export class Operation {
  readonly components: Component[] = [];
  baseLength = 0;
  targetLength = 0;

  /** The op that keeps a text of `length` code points as it is. */
  static identity(length: number): Operation {
    return new Operation().retain(length);
  }

  retain(count: number): this {
    if (count === 0) return this;
    checkLength(count);
    checkLength(this.baseLength + count);
    checkLength(this.targetLength + count);
    this.baseLength += count;
    this.targetLength += count;
    const last = this.components.length - 1;
    if (last >= 0 && isRetain(this.components[last]!)) {
      (this.components[last] as number) += count;
    } else {
      this.components.push(count);
    }
    return this;
  }

  erase(count: number): this {
    if (count === 0) return this;
    checkLength(count);
    checkLength(this.baseLength + count);
    this.baseLength += count;
    const last = this.components.length - 1;
    if (last >= 0 && isErase(this.components[last]!)) {
      (this.components[last] as number) -= count;
    } else {
      this.components.push(-count);
    }
    return this;
  }

  insert(text: string): this {
    const lone = loneSurrogateIndex(text);
    if (lone >= 0) {
      throw new OtError("invalid_utf8", `inserted text has a lone surrogate at UTF-16 index ${lone}`);
    }
    return this.insertCounted(text, codePointLength(text));
  }

  /** insert() for text already known to be well-formed and `count` code points long. */
  insertCounted(text: string, count: number): this {
    if (count === 0) return this;
    checkLength(count);
    checkLength(this.targetLength + count);
    this.targetLength += count;
    const c = this.components;
    const n = c.length;
    if (n > 0 && isInsert(c[n - 1]!)) {
      c[n - 1] = (c[n - 1] as string) + text;
    } else if (n > 0 && isErase(c[n - 1]!)) {
      // Insert before erase: both orders mean the same edit; one of them must be canonical.
      if (n >= 2 && isInsert(c[n - 2]!)) {
        c[n - 2] = (c[n - 2] as string) + text;
      } else {
        c.splice(n - 1, 0, text);
      }
    } else {
      c.push(text);
    }
    return this;
  }

  /** True iff the op changes nothing (only retains, or nothing at all). */
  isIdentity(): boolean {
    return this.components.every(isRetain);
  }

  equals(other: Operation): boolean {
    if (this.components.length !== other.components.length) return false;
    return this.components.every((c, i) => c === other.components[i]);
  }

  /** The wire form: a fresh array of the components. */
  toJSON(): Component[] {
    return [...this.components];
  }

  toString(): string {
    return JSON.stringify(this.components);
  }
}
