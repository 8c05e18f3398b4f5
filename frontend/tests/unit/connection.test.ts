// Connection over a fake WebSocket, with node's mock timers (no real waiting): hello first,
// documents opened on welcome and resumed after a reconnect, backoff that doubles, and the
// states a person sees.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, mock, test } from "node:test";

import { Connection, FIRST_BACKOFF_MS, OFFLINE_AFTER } from "../../src/net/connection.js";
import { fromJson } from "../../src/ot/index.js";

class FakeSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static all: FakeSocket[] = [];
  readyState = FakeSocket.CONNECTING;
  sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(frame: string): void {
    this.sent.push(JSON.parse(frame) as Record<string, unknown>);
  }
  close(): void {
    this.readyState = FakeSocket.CLOSED;
  }
  // The server's side:
  accept(): void {
    this.readyState = FakeSocket.OPEN;
    this.onopen?.();
  }
  receive(message: unknown): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(): void {
    this.readyState = FakeSocket.CLOSED;
    this.onclose?.();
  }
}

const latest = (): FakeSocket => FakeSocket.all[FakeSocket.all.length - 1]!;
const welcome = { type: "welcome", version: 1, session: "s-1", client_id: "c-1", server: "test", heartbeat_ms: 15000 };

describe("Connection", () => {
  beforeEach(() => {
    FakeSocket.all = [];
    (globalThis as { WebSocket?: unknown }).WebSocket = FakeSocket;
    mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: 0 });
  });
  afterEach(() => {
    mock.timers.reset();
  });

  test("says hello first, opens its documents on welcome, and resumes them after a reconnect", () => {
    const connection = new Connection({ url: "ws://x/ws", clientId: "c-1", name: "Ann", color: "#c2185b" });
    const states: string[] = [];
    connection.onState((s) => states.push(s));
    const loaded: string[] = [];
    connection.open("notes", (event) => {
      if (event.kind === "loaded") loaded.push(event.text);
    });
    connection.start();
    const first = latest();
    first.accept();
    assert.deepEqual(first.sent, [{ type: "hello", version: 1, client_id: "c-1", name: "Ann", color: "#c2185b" }]);
    first.receive(welcome);
    assert.deepEqual(first.sent[1], { type: "open", id: "notes#1", doc: "notes" });
    first.receive({ type: "opened", id: "notes#1", doc: "notes", revision: 3, text: "hey", presence: [] });
    assert.deepEqual(loaded, ["hey"]);
    connection.localEdit("notes", fromJson([3, "!"]));
    assert.deepEqual(first.sent.at(-1), { type: "op", doc: "notes", rev: 3, seq: 1, op: [3, "!"] });

    first.drop();
    assert.equal(connection.state, "reconnecting");
    connection.localEdit("notes", fromJson([4, "?"])); // typed while away: buffered
    mock.timers.tick(2 * FIRST_BACKOFF_MS);
    const second = latest();
    assert.notEqual(second, first);
    second.accept();
    second.receive(welcome);
    assert.deepEqual(second.sent[1], { type: "open", id: "notes#2", doc: "notes", revision: 3 });
    second.receive({ type: "opened", id: "notes#2", doc: "notes", revision: 3, ops: [], presence: [] });
    // The op in flight goes again with its seq; the buffer waits for its ack.
    assert.deepEqual(second.sent.slice(2), [{ type: "op", doc: "notes", rev: 3, seq: 1, op: [3, "!"] }]);
    second.receive({ type: "ops", doc: "notes", ops: [{ rev: 4, client_id: "c-1", seq: 1 }] });
    assert.deepEqual(second.sent.at(-1), { type: "op", doc: "notes", rev: 4, seq: 2, op: [4, "?"] });
    // Listeners hear every change of state and of the retry schedule; the states in order:
    assert.deepEqual(states.filter((s, i) => s !== states[i - 1]), ["connected", "reconnecting", "connected"]);
    connection.stop();
  });

  test("backs off, doubling, and reads offline after repeated failures", () => {
    const connection = new Connection({ url: "ws://x/ws", clientId: "c-1", name: "Ann", color: "#000" });
    connection.start();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= OFFLINE_AFTER + 1; attempt++) {
      const before = FakeSocket.all.length;
      latest().drop();
      delays.push(connection.nextRetryAt! - Date.now());
      mock.timers.tick(connection.nextRetryAt! - Date.now());
      assert.equal(FakeSocket.all.length, before + 1, `attempt ${attempt} reconnects`);
    }
    // ±25 % jitter around 250, 500, 1000, 2000 ms.
    delays.forEach((d, i) => {
      const base = FIRST_BACKOFF_MS * 2 ** i;
      assert.ok(d >= base * 0.75 && d <= base * 1.25, `delay ${i}: ${d}`);
    });
    assert.equal(connection.state, "offline");
    latest().accept();
    latest().receive(welcome);
    assert.equal(connection.state, "connected");
    connection.stop();
  });

  test("a page without documents (the dashboard) subscribes after every welcome and hears every message", () => {
    const connection = new Connection({ url: "ws://x/ws", clientId: "c-1", name: "Dash", color: "#000", token: "secret" });
    const heard: string[] = [];
    connection.onMessage((m) => heard.push(m.type));
    let subscriptions = 0;
    connection.onWelcome(() => {
      subscriptions++;
      assert.equal(connection.sendMessage({ type: "dashboard_subscribe", id: subscriptions }), true);
    });
    assert.equal(connection.sendMessage({ type: "dashboard_subscribe", id: 0 }), false, "nothing is sent before welcome");
    connection.start();
    const first = latest();
    first.accept();
    assert.deepEqual(first.sent, [{ type: "hello", version: 1, client_id: "c-1", name: "Dash", color: "#000", token: "secret" }]);
    assert.equal(connection.sendMessage({ type: "crash", id: 9, doc: "notes" }), false, "nor between hello and welcome");
    first.receive(welcome);
    assert.deepEqual(first.sent.slice(1), [{ type: "dashboard_subscribe", id: 1 }]);
    first.receive({ type: "dashboard", seq: 1 });
    first.receive({ type: "crashed", id: 2, doc: "notes" });
    first.drop();
    assert.equal(connection.sendMessage({ type: "crash", id: 3, doc: "notes" }), false, "nor while away");
    mock.timers.tick(2 * FIRST_BACKOFF_MS);
    latest().accept();
    latest().receive(welcome);
    assert.equal(subscriptions, 2);
    assert.deepEqual(latest().sent.slice(1), [{ type: "dashboard_subscribe", id: 2 }]);
    assert.deepEqual(heard, ["welcome", "dashboard", "crashed", "welcome"]);
    connection.stop();
  });

  test("a socket that hears nothing for two heartbeats is dropped and replaced", () => {
    const connection = new Connection({ url: "ws://x/ws", clientId: "c-1", name: "Ann", color: "#000" });
    connection.start();
    latest().accept();
    latest().receive({ ...welcome, heartbeat_ms: 3000 });
    const first = latest();
    mock.timers.tick(1000);
    assert.deepEqual(first.sent.at(-1), { type: "ping" });
    const states: string[] = [];
    connection.onState((s) => states.push(s));
    mock.timers.tick(6000);
    assert.equal(connection.state, "reconnecting", states.join());
    mock.timers.tick(2 * FIRST_BACKOFF_MS);
    assert.notEqual(latest(), first);
    connection.stop();
  });
});
