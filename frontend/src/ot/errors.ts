// OtError: how src/ot reports input it does not control — the same stable codes as the C++
// engine (ot/error.hpp, docs/ot.md "Errors"), so tests and the shared vectors can compare
// them. Every function that throws one leaves its inputs (and a Client) unchanged.

export type OtErrorCode =
  | "invalid_json"
  | "malformed_op"
  | "invalid_utf8"
  | "op_too_large"
  | "base_length_mismatch"
  | "no_outstanding_op";

export class OtError extends Error {
  readonly code: OtErrorCode;

  constructor(code: OtErrorCode, message: string) {
    super(message);
    this.name = "OtError";
    this.code = code;
  }
}

/** Every count and running length is at most 2^53 - 1, as in the C++ engine. */
export const MAX_LENGTH = Number.MAX_SAFE_INTEGER;
