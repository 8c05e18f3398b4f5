// The events feed: which events of a pushed snapshot are new (the list slides, events have
// no ids), and how each reads.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { describeEvent, newEvents } from "../../src/dashboard/events.js";
import type { DashboardEvent } from "../../src/net/dashboard_protocol.js";
import { Random, seedFromEnv } from "./testing.js";

const opened = (doc: string, time_ms: number): DashboardEvent => ({ time_ms, kind: "opened", doc });

describe("new events in a snapshot", () => {
  test("the first snapshot's events are all new", () => {
    const events = [opened("a", 1), opened("b", 2)];
    assert.deepEqual(newEvents([], events), events);
  });

  test("an unchanged list has nothing new", () => {
    const events = [opened("a", 1), opened("b", 2)];
    assert.deepEqual(newEvents(events, events.slice()), []);
  });

  test("events appended after the previous ones are new", () => {
    const before = [opened("a", 1), opened("b", 2)];
    const crash: DashboardEvent = { time_ms: 3, kind: "crashed", doc: "a", pid: "<0.4>" };
    assert.deepEqual(newEvents(before, [...before, crash]), [crash]);
  });

  test("when the window slides, the oldest drop out and only the newest are new", () => {
    const before = [opened("a", 1), opened("b", 2), opened("c", 3)];
    const after = [opened("c", 3), opened("d", 4), opened("e", 5)];
    assert.deepEqual(newEvents(before, after), [opened("d", 4), opened("e", 5)]);
  });

  test("identical events in one millisecond are counted by position", () => {
    const before = [opened("a", 7)];
    assert.deepEqual(newEvents(before, [opened("a", 7), opened("a", 7)]), [opened("a", 7)]);
  });

  test("a list that shares nothing with the previous one (a restarted server) is all new", () => {
    const before = [opened("a", 1), opened("b", 2)];
    const after = [opened("x", 1)];
    assert.deepEqual(newEvents(before, after), after);
  });

  test("a sliding window of random events: exactly the appended ones are new", () => {
    // As the server keeps them: the last WINDOW events, newest last; a push adds a few, all
    // at a later millisecond than the previous push, often identical to each other.
    const WINDOW = 8;
    const seed = seedFromEnv();
    const rng = new Random(seed);
    const all: DashboardEvent[] = [];
    let shown: DashboardEvent[] = [];
    for (let push = 1; push <= 500; push++) {
      const fresh: DashboardEvent[] = [];
      for (let i = rng.int(0, 10); i > 0; i--) fresh.push({ time_ms: push, kind: rng.pick(["opened", "closed"]), doc: rng.pick(["a", "b"]) });
      all.push(...fresh);
      const next = all.slice(Math.max(0, all.length - WINDOW));
      const expected = fresh.slice(Math.max(0, fresh.length - WINDOW));
      assert.deepEqual(newEvents(shown, next), expected, `OTTER_SEED=${seed} push ${push}`);
      shown = next;
    }
  });
});

describe("events in words", () => {
  test("a restart names both pids and the reason", () => {
    const view = describeEvent({ time_ms: 1, kind: "restarted", doc: "notes", old_pid: "<0.40>", new_pid: "<0.42>", reason: "crashed from the dashboard" });
    assert.equal(view.tone, "good");
    assert.equal(view.text, "notes restarted by its supervisor: <0.40> → <0.42> (crashed from the dashboard)");
  });

  test("every kind reads as a sentence, unknown kinds included", () => {
    assert.equal(describeEvent({ time_ms: 1, kind: "opened", doc: "n", pid: "<0.5>" }).text, "n opened as <0.5>");
    assert.equal(describeEvent({ time_ms: 1, kind: "closed", doc: "n" }).text, "n closed");
    assert.equal(describeEvent({ time_ms: 1, kind: "crashed", doc: "n", pid: "<0.5>" }).tone, "bad");
    assert.equal(
      describeEvent({ time_ms: 1, kind: "restart_intensity_exceeded" }).text,
      "Document processes crashed too often: the documents supervisor gave up and was restarted",
    );
    assert.equal(describeEvent({ time_ms: 1, kind: "closed", doc: "n", pid: "<1.5.1>" }).text, "n closed");
    assert.equal(describeEvent({ time_ms: 1, kind: "migrated", doc: "n" }).text, "n: migrated");
  });
});
