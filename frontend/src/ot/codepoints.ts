// Code points in JavaScript strings. JS strings are UTF-16: an astral character (an emoji,
// say) is two code units, a surrogate pair, but one code point, and Otter counts code points
// everywhere on the wire (docs/ot.md). These helpers walk strings by code point.
//
// A lone surrogate (a high surrogate not followed by a low one, or a low one on its own) is
// not a Unicode scalar value and has no UTF-8 form: the server refuses it (JSON "\ud800" is
// bad_json). The functions here count it as one code point so they never loop forever, and
// loneSurrogateIndex() finds it so that callers can refuse such text before it is sent.

const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number): boolean => unit >= 0xdc00 && unit <= 0xdfff;

/** The number of code points in s[from, to). */
export function codePointLength(s: string, from = 0, to = s.length): number {
  let pairs = 0;
  for (let i = from; i < to - 1; i++) {
    if (isHigh(s.charCodeAt(i)) && isLow(s.charCodeAt(i + 1))) {
      pairs++;
      i++;
    }
  }
  return to - from - pairs;
}

/** The UTF-16 index reached by walking `count` code points from UTF-16 index `from`; clamped to s.length. */
export function utf16IndexAfter(s: string, from: number, count: number): number {
  let i = from;
  for (let n = 0; n < count && i < s.length; n++) {
    i += isHigh(s.charCodeAt(i)) && i + 1 < s.length && isLow(s.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
}

/** s from code point `from` to code point `to` (exclusive). */
export function codePointSlice(s: string, from: number, to?: number): string {
  const start = utf16IndexAfter(s, 0, from);
  if (to === undefined) return s.slice(start);
  return s.slice(start, utf16IndexAfter(s, start, to - from));
}

/** The UTF-16 index of the first lone surrogate in s, or -1 if s is well-formed. */
export function loneSurrogateIndex(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (isHigh(unit)) {
      if (i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      return i;
    }
    if (isLow(unit)) return i;
  }
  return -1;
}

/** s with each lone surrogate replaced by U+FFFD, the replacement character. */
export function replaceLoneSurrogates(s: string): string {
  if (loneSurrogateIndex(s) < 0) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (isHigh(unit) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      out += s[i]! + s[i + 1]!;
      i++;
    } else if (isHigh(unit) || isLow(unit)) {
      out += "\ufffd";
    } else {
      out += s[i]!;
    }
  }
  return out;
}

/** True iff UTF-16 index i of s lies between the two halves of a surrogate pair. */
export function splitsSurrogatePair(s: string, i: number): boolean {
  return i > 0 && i < s.length && isHigh(s.charCodeAt(i - 1)) && isLow(s.charCodeAt(i));
}
