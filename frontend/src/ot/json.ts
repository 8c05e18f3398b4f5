// The wire form of an op: fromJson() for a value JSON.parse already made (what a protocol
// message holds), decode() for JSON text. Both give the canonical op (neighbours merged,
// insert before erase) or throw OtError, with the C++ decoder's codes (docs/ot.md):
//   invalid_json  not JSON (a lone surrogate escape such as "\ud800" counts, as in C++)
//   malformed_op  not an array; a component that is not an integer or a string; a
//                 fraction, or any number written with a fraction or exponent (even 2.0);
//                 a zero; an empty string
//   op_too_large  a count, or a running base/target length, beyond 2^53 - 1
import { codePointLength, loneSurrogateIndex } from "./codepoints.js";
import { MAX_LENGTH, OtError } from "./errors.js";
import { Operation } from "./operation.js";

export function fromJson(value: unknown): Operation {
  if (!Array.isArray(value)) throw new OtError("malformed_op", "an op must be a JSON array");
  const op = new Operation();
  value.forEach((c: unknown, i: number) => {
    if (typeof c === "string") {
      if (c.length === 0) throw new OtError("malformed_op", `component ${i} inserts the empty string`);
      if (loneSurrogateIndex(c) >= 0) throw new OtError("invalid_utf8", `component ${i} has a lone surrogate`);
      op.insertCounted(c, codePointLength(c));
    } else if (typeof c === "number") {
      if (!Number.isInteger(c)) throw new OtError("malformed_op", `component ${i} is not an integer: ${c}`);
      if (c === 0) throw new OtError("malformed_op", `component ${i} is zero`);
      if (Math.abs(c) > MAX_LENGTH) {
        throw new OtError("op_too_large", `component ${i} (${c}) exceeds the maximum count ${MAX_LENGTH}`);
      }
      if (c > 0) op.retain(c);
      else op.erase(-c);
    } else {
      throw new OtError("malformed_op", `component ${i} is neither an integer nor a string`);
    }
  });
  return op;
}

export function decode(text: string): Operation {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new OtError("invalid_json", `not JSON: ${(e as Error).message}`);
  }
  if (hasLoneSurrogate(value)) throw new OtError("invalid_json", "a string holds a lone surrogate escape");
  if (Array.isArray(value) && writesNonIntegerNumber(text)) {
    throw new OtError("malformed_op", "a component is written with a fraction or an exponent");
  }
  return fromJson(value);
}

export function encode(op: Operation): string {
  return JSON.stringify(op.components);
}

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === "string") return loneSurrogateIndex(value) >= 0;
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === "object") return Object.values(value).some(hasLoneSurrogate);
  return false;
}

// JSON.parse reads "2.0" as 2; the C++ decoder refuses it. Scan the (valid) JSON text for a
// number token, outside strings, that has a '.', 'e' or 'E'.
function writesNonIntegerNumber(text: string): boolean {
  let inString = false;
  let inNumber = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      inNumber = false;
    } else if (ch === "-" || (ch >= "0" && ch <= "9")) {
      inNumber = true;
    } else if (inNumber && (ch === "." || ch === "e" || ch === "E")) {
      return true;
    } else if (!(inNumber && ch === "+")) {
      inNumber = false;
    }
  }
  return false;
}
