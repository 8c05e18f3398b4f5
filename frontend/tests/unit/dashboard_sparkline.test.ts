// Ops/s history per document and its sparkline: irregular samples drawn as a step line over
// the last minute.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { RateHistory, sparklinePoints } from "../../src/dashboard/sparkline.js";

describe("ops/s history", () => {
  test("keeps changes, skips flat repeats, drops closed documents", () => {
    const history = new RateHistory(60_000);
    history.record(1000, [["a", 1], ["b", 0]]);
    history.record(1250, [["a", 1], ["b", 2]]);
    history.record(1500, [["a", 3]]);
    assert.deepEqual(history.samples("a"), [
      { time: 1000, value: 1 },
      { time: 1500, value: 3 },
    ]);
    assert.deepEqual(history.samples("b"), [], "b was not in the last snapshot");
  });

  test("forgets samples older than the window but keeps the value at its start", () => {
    const history = new RateHistory(10_000);
    history.record(0, [["a", 5]]);
    history.record(4_000, [["a", 6]]);
    history.record(20_000, [["a", 7]]);
    assert.deepEqual(history.samples("a"), [
      { time: 4_000, value: 6 },
      { time: 20_000, value: 7 },
    ]);
  });

  test("ignores a sample older than the newest", () => {
    const history = new RateHistory();
    history.record(2000, [["a", 2]]);
    history.record(1000, [["a", 9]]);
    assert.deepEqual(history.samples("a"), [{ time: 2000, value: 2 }]);
  });
});

describe("the sparkline", () => {
  test("a step line across the window, scaled to the largest value", () => {
    const samples = [
      { time: 0, value: 0 },
      { time: 5_000, value: 4 },
      { time: 7_500, value: 2 },
    ];
    assert.equal(sparklinePoints(samples, 10_000, 10_000, 100, 20), "0,20 50,20 50,0 75,0 75,10 100,10");
  });

  test("a sample from before the window starts the line at its left edge", () => {
    assert.equal(sparklinePoints([{ time: -50_000, value: 0.5 }], 10_000, 10_000, 100, 20), "0,10 100,10");
  });

  test("a history younger than the window spans the whole width", () => {
    const samples = [
      { time: 8_000, value: 2 },
      { time: 9_000, value: 0 },
    ];
    assert.equal(sparklinePoints(samples, 10_000, 60_000, 100, 20), "0,0 50,0 50,20 100,20");
    assert.equal(sparklinePoints([{ time: 10_000, value: 1 }], 10_000, 60_000, 100, 20), "0,0 100,0", "one sample at now: a flat line");
  });

  test("small rates are not blown up to the full height; no samples draw nothing", () => {
    assert.equal(sparklinePoints([{ time: 0, value: 0.5 }], 10_000, 10_000, 100, 20), "0,10 100,10");
    assert.equal(sparklinePoints([], 10_000, 10_000, 100, 20), "");
  });
});
