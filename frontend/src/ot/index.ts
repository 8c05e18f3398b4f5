// The TypeScript OT client library: the op type and its algebra, cursors, the client state
// machine, and the UTF-16 ↔ code point edge. Pure: no DOM, no I/O. See docs/frontend.md.
export { apply, compose, invert, type Side, transform, type TransformedPair } from "./algebra.js";
export { Client, type ClientState, type Submission } from "./client.js";
export * from "./codepoints.js";
export { type Selection, transformPosition, transformSelection } from "./cursor.js";
export { MAX_LENGTH, OtError, type OtErrorCode } from "./errors.js";
export { decode, encode, fromJson } from "./json.js";
export { type Component, isErase, isInsert, isRetain, Operation } from "./operation.js";
export * from "./utf16.js";
