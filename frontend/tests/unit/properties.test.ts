// Seeded property tests of the algebra's laws (docs/ot.md, "The laws") on random documents
// with multi-byte and astral text. A failure names its seed: OTTER_SEED=<n> npm test replays it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { apply, codePointLength, compose, decode, encode, invert, transform, transformPosition } from "../../src/ot/index.js";
import { Random, randomOp, randomText, seedFromEnv } from "./testing.js";

const CASES = 2000;

function forEachCase(body: (rng: Random, where: string) => void): void {
  const seed = seedFromEnv();
  const rng = new Random(seed);
  for (let i = 0; i < CASES; i++) body(rng, `OTTER_SEED=${seed}, case ${i}`);
}

test("apply gives the text the generator computed code point by code point", () => {
  forEachCase((rng, where) => {
    const doc = randomText(rng, 20);
    const { op, result } = randomOp(rng, doc);
    assert.equal(apply(doc, op), result, `${where}: op ${op} on ${JSON.stringify(doc)}`);
    assert.equal(codePointLength(result), op.targetLength, where);
  });
});

test("compose(a, b) applies like a then b, and compose is associative", () => {
  forEachCase((rng, where) => {
    const s0 = randomText(rng, 20);
    const a = randomOp(rng, s0);
    const b = randomOp(rng, a.result);
    const c = randomOp(rng, b.result);
    const ab = compose(a.op, b.op);
    assert.equal(apply(s0, ab), b.result, `${where}: compose(${a.op}, ${b.op}) = ${ab} on ${JSON.stringify(s0)}`);
    assert.ok(compose(ab, c.op).equals(compose(a.op, compose(b.op, c.op))), `${where}: associativity`);
  });
});

test("transform satisfies TP1 on both sides, and the sides swap", () => {
  forEachCase((rng, where) => {
    const s = randomText(rng, 20);
    const a = randomOp(rng, s);
    const b = randomOp(rng, s);
    for (const side of ["left", "right"] as const) {
      const { aPrime, bPrime } = transform(a.op, b.op, side);
      const context = `${where}: transform(${a.op}, ${b.op}, ${side}) on ${JSON.stringify(s)}`;
      assert.equal(apply(a.result, bPrime), apply(b.result, aPrime), context);
      const swapped = transform(b.op, a.op, side === "left" ? "right" : "left");
      assert.ok(swapped.aPrime.equals(bPrime) && swapped.bPrime.equals(aPrime), context);
    }
  });
});

test("invert undoes an op", () => {
  forEachCase((rng, where) => {
    const s = randomText(rng, 20);
    const { op, result } = randomOp(rng, s);
    assert.equal(apply(result, invert(op, s)), s, `${where}: invert(${op}) on ${JSON.stringify(s)}`);
  });
});

test("encode then decode gives the same canonical op", () => {
  forEachCase((rng, where) => {
    const { op } = randomOp(rng, randomText(rng, 20));
    assert.ok(decode(encode(op)).equals(op), `${where}: ${op}`);
  });
});

test("a cursor moves like a zero-length insert on its side", () => {
  const MARK = "\u0000";
  forEachCase((rng, where) => {
    const s = randomText(rng, 12);
    const { op } = randomOp(rng, s);
    const p = rng.int(0, codePointLength(s));
    for (const side of ["left", "right"] as const) {
      // Insert a marker at p, transform the op past it, and find the marker in the result.
      const cps = [...s];
      const withMark = [...cps.slice(0, p), MARK, ...cps.slice(p)].join("");
      const markOp = decode(JSON.stringify([p, MARK, cps.length - p].filter((c) => c !== 0)));
      // The marker stands for the cursor, so it takes the cursor's side against the op.
      const { bPrime } = transform(markOp, op, side);
      const moved = [...apply(withMark, bPrime)].indexOf(MARK);
      assert.equal(transformPosition(p, op, side), moved, `${where}: position ${p}, ${side}, op ${op} on ${JSON.stringify(s)}`);
    }
  });
});
