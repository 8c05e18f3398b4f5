// Every case of the shared vectors (tests/vectors/ot_vectors.json), which the C++ engine
// also passes (tests/ot/vectors_test.cpp): both sides of the wire compute the same ops.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import vectors from "../../../tests/vectors/ot_vectors.json";
import {
  apply,
  compose,
  decode,
  fromJson,
  invert,
  Operation,
  OtError,
  type Side,
  transform,
  transformPosition,
  transformSelection,
} from "../../src/ot/index.js";

type Wire = (number | string)[];
const op = (wire: unknown): Operation => fromJson(wire);
const expectError = (code: string) => (e: unknown) => e instanceof OtError && e.code === code;

describe("the shared vectors", () => {
  test("are version 1 and have cases of every kind", () => {
    assert.equal(vectors.version, 1);
    for (const kind of ["apply", "compose", "transform", "invert", "cursor", "selection", "decode"] as const) {
      assert.ok(vectors[kind].length > 0, kind);
    }
  });

  describe("apply", () => {
    for (const c of vectors.apply as { name: string; doc: string; op: Wire; result?: string; error?: string }[]) {
      test(c.name, () => {
        if (c.error) assert.throws(() => apply(c.doc, op(c.op)), expectError(c.error));
        else assert.equal(apply(c.doc, op(c.op)), c.result);
      });
    }
  });

  describe("compose", () => {
    for (const c of vectors.compose as { name: string; doc: string; a: Wire; b: Wire; result?: Wire; error?: string }[]) {
      test(c.name, () => {
        const a = op(c.a);
        const b = op(c.b);
        if (c.error) {
          assert.throws(() => compose(a, b), expectError(c.error));
          return;
        }
        const composed = compose(a, b);
        assert.deepEqual(composed.toJSON(), c.result);
        assert.equal(apply(c.doc, composed), apply(apply(c.doc, a), b));
      });
    }
  });

  describe("transform", () => {
    type Case = { name: string; doc: string; a: Wire; b: Wire; side: Side; a_prime?: Wire; b_prime?: Wire; result?: string; error?: string };
    for (const c of vectors.transform as Case[]) {
      test(c.name, () => {
        const a = op(c.a);
        const b = op(c.b);
        if (c.error) {
          assert.throws(() => transform(a, b, c.side), expectError(c.error));
          return;
        }
        const { aPrime, bPrime } = transform(a, b, c.side);
        assert.deepEqual(aPrime.toJSON(), c.a_prime);
        assert.deepEqual(bPrime.toJSON(), c.b_prime);
        assert.equal(apply(apply(c.doc, a), bPrime), c.result);
        assert.equal(apply(apply(c.doc, b), aPrime), c.result);
        // The other side gives the same pair, swapped.
        const swapped = transform(b, a, c.side === "left" ? "right" : "left");
        assert.deepEqual(swapped.aPrime.toJSON(), c.b_prime);
        assert.deepEqual(swapped.bPrime.toJSON(), c.a_prime);
      });
    }
  });

  describe("invert", () => {
    for (const c of vectors.invert as { name: string; doc: string; op: Wire; result?: Wire; error?: string }[]) {
      test(c.name, () => {
        if (c.error) {
          assert.throws(() => invert(op(c.op), c.doc), expectError(c.error));
          return;
        }
        const inverse = invert(op(c.op), c.doc);
        assert.deepEqual(inverse.toJSON(), c.result);
        assert.equal(apply(apply(c.doc, op(c.op)), inverse), c.doc);
      });
    }
  });

  describe("cursor", () => {
    for (const c of vectors.cursor as { name: string; op: Wire; position: number; side: Side; result: number }[]) {
      test(c.name, () => assert.equal(transformPosition(c.position, op(c.op), c.side), c.result));
    }
  });

  describe("selection", () => {
    type Case = { name: string; op: Wire; anchor: number; head: number; side: Side; result: { anchor: number; head: number } };
    for (const c of vectors.selection as Case[]) {
      test(c.name, () =>
        assert.deepEqual(transformSelection({ anchor: c.anchor, head: c.head }, op(c.op), c.side), c.result),
      );
    }
  });

  describe("decode", () => {
    for (const c of vectors.decode as { name: string; json: string; op?: Wire; error?: string }[]) {
      test(c.name, () => {
        if (c.error) assert.throws(() => decode(c.json), expectError(c.error));
        else assert.deepEqual(decode(c.json).toJSON(), c.op);
      });
    }
  });
});
