// The UTF-16 ↔ code point edge: CodeMirror's changes become ops and back, with emoji,
// surrogate pairs and combining marks, and text without a UTF-8 form is refused.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  apply,
  changesToOp,
  codePointLength,
  codePointSlice,
  codePointsToUtf16,
  fromJson,
  loneSurrogateIndex,
  opToChanges,
  OtError,
  replaceLoneSurrogates,
  stringText,
  utf16ToCodePoints,
} from "../../src/ot/index.js";
import { Random, randomOp, randomText, seedFromEnv } from "./testing.js";

const invalidUtf8 = (e: unknown) => e instanceof OtError && e.code === "invalid_utf8";

// What CodeMirror does with change specs: apply them (UTF-16 offsets into the old text).
function applyChanges(text: string, changes: { from: number; to: number; insert: string }[]): string {
  let out = "";
  let at = 0;
  for (const c of changes) {
    assert.ok(c.from >= at && c.to >= c.from, "changes are sorted and do not overlap");
    out += text.slice(at, c.from) + c.insert;
    at = c.to;
  }
  return out + text.slice(at);
}

describe("code points in JavaScript strings", () => {
  test("an emoji is two UTF-16 units and one code point", () => {
    assert.equal("😀".length, 2);
    assert.equal(codePointLength("a😀b"), 3);
    assert.equal(codePointLength("e\u0301"), 2);
    assert.equal(codePointSlice("a😀b👍", 1, 3), "😀b");
  });

  test("lone surrogates are found and can be replaced", () => {
    assert.equal(loneSurrogateIndex("ok😀"), -1);
    assert.equal(loneSurrogateIndex("a\ud83d"), 1);
    assert.equal(loneSurrogateIndex("\ude00b"), 0);
    assert.equal(loneSurrogateIndex("😀\ud83d😀"), 2);
    assert.equal(replaceLoneSurrogates("a\ud83db\ude00😀"), "a\ufffdb\ufffd😀");
  });
});

describe("CodeMirror changes to ops", () => {
  test("typing an emoji after an emoji counts code points", () => {
    const text = "😀x";
    const op = changesToOp(stringText(text), 2, [{ fromA: 2, toA: 2, inserted: "👍" }]);
    assert.deepEqual(op.toJSON(), [1, "👍", 1]);
  });

  test("deleting an emoji deletes one code point", () => {
    const op = changesToOp(stringText("a😀b"), 3, [{ fromA: 1, toA: 3, inserted: "" }]);
    assert.deepEqual(op.toJSON(), [1, -1, 1]);
  });

  test("a multi-line paste replacing a selection is one insert and one erase", () => {
    const op = changesToOp(stringText("中文😀 end"), 7, [{ fromA: 1, toA: 4, inserted: "one\ntwo 🦦\nthree" }]);
    assert.deepEqual(op.toJSON(), [1, "one\ntwo 🦦\nthree", -2, 4]);
  });

  test("several changes at once", () => {
    const text = "ab😀cd";
    const op = changesToOp(stringText(text), 5, [
      { fromA: 0, toA: 0, inserted: "X" },
      { fromA: 2, toA: 4, inserted: "" },
      { fromA: 6, toA: 6, inserted: "!" },
    ]);
    assert.deepEqual(op.toJSON(), ["X", 2, -1, 2, "!"]);
  });

  test("inserted text with a lone surrogate is refused", () => {
    assert.throws(() => changesToOp(stringText("ab"), 2, [{ fromA: 1, toA: 1, inserted: "\ud83d" }]), invalidUtf8);
  });

  test("a change between the halves of a surrogate pair is refused", () => {
    assert.throws(() => changesToOp(stringText("a😀b"), 3, [{ fromA: 2, toA: 2, inserted: "x" }]), invalidUtf8);
    assert.throws(() => changesToOp(stringText("a😀b"), 3, [{ fromA: 1, toA: 2, inserted: "" }]), invalidUtf8);
  });

  test("ops with lone surrogates are refused when built or decoded", () => {
    assert.throws(() => fromJson(["\udc00"]), invalidUtf8);
  });
});

describe("ops to CodeMirror changes", () => {
  test("an insert and an erase at one place become one replacement", () => {
    const changes = opToChanges(stringText("a😀b"), fromJson([1, "👍", -1, 1]));
    assert.deepEqual(changes, [{ from: 1, to: 3, insert: "👍" }]);
  });

  test("an op that runs past the text is refused", () => {
    assert.throws(() => opToChanges(stringText("a😀"), fromJson([2, -1])), (e) => e instanceof OtError);
  });

  test("random ops round-trip through UTF-16 changes", () => {
    const seed = seedFromEnv();
    const rng = new Random(seed);
    for (let i = 0; i < 2000; i++) {
      const text = randomText(rng, 16);
      const { op, result } = randomOp(rng, text);
      const where = `OTTER_SEED=${seed}, case ${i}: op ${op} on ${JSON.stringify(text)}`;
      const changes = opToChanges(stringText(text), op);
      assert.equal(applyChanges(text, changes), result, where);
      const back = changesToOp(
        stringText(text),
        codePointLength(text),
        changes.map((c) => ({ fromA: c.from, toA: c.to, inserted: c.insert })),
      );
      assert.ok(back.equals(op), `${where}: back ${back}`);
      assert.equal(apply(text, back), result, where);
    }
  });
});

describe("positions", () => {
  test("UTF-16 offsets and code points convert both ways, in any order", () => {
    const text = stringText("a😀b👍\nc");
    assert.deepEqual(utf16ToCodePoints(text, [7, 0, 3, 1, 4, 6]), [5, 0, 2, 1, 3, 4]);
    assert.deepEqual(codePointsToUtf16(text, [5, 0, 2, 1, 3, 4, 99]), [7, 0, 3, 1, 4, 6, 8]);
  });

  test("an offset inside a surrogate pair counts from the pair's start", () => {
    assert.deepEqual(utf16ToCodePoints(stringText("a😀b"), [2]), [1]);
  });
});
