// DocumentSync, message by message: the protocol rules of docs/protocol.md as the web client
// follows them (the same rules as the C++ ClientDocument), then a seeded simulation of a
// server with lost connections, resumes and duplicate resends.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { DocumentSync, type Effects, newEffects, type SyncEvent } from "../../src/net/document_sync.js";
import type { ClientMessage, OpMessage, OpsEntry } from "../../src/net/protocol.js";
import { apply, fromJson, type Operation, transform } from "../../src/ot/index.js";
import { Random, randomOp, seedFromEnv } from "./testing.js";

const op = (wire: unknown): Operation => fromJson(wire);

function run(body: (out: Effects) => void): Effects {
  const out = newEffects();
  body(out);
  return out;
}

function opened(sync: DocumentSync, text: string, revision: number): Effects {
  sync.openMessage();
  return run((out) => sync.onOpened({ type: "opened", doc: sync.doc, revision, text, presence: [] }, out));
}

const sentOps = (out: Effects): OpMessage[] => out.send.filter((m): m is OpMessage => m.type === "op");
const kinds = (out: Effects): string[] => out.events.map((e) => e.kind);

describe("DocumentSync", () => {
  test("a fresh open loads the text; a resume asks for the ops since its revision", () => {
    const sync = new DocumentSync("notes", "c1");
    const first = sync.openMessage();
    assert.equal(first.revision, undefined);
    const out = run((o) => sync.onOpened({ type: "opened", doc: "notes", revision: 4, text: "héllo 😀", presence: [] }, o));
    assert.deepEqual(kinds(out), ["loaded", "peers"]);
    assert.equal(sync.documentLength, 7);
    sync.connectionLost();
    assert.equal(sync.phase, "closed");
    assert.equal(sync.openMessage().revision, 4);
  });

  test("one op in flight, the rest buffered and sent on the ack, pending edits counted", () => {
    const sync = new DocumentSync("d", "c1");
    opened(sync, "ab", 0);
    const first = run((o) => sync.localEdit(op([2, "x"]), o));
    assert.deepEqual(sentOps(first), [{ type: "op", doc: "d", rev: 0, seq: 1, op: [2, "x"] }]);
    assert.deepEqual(sentOps(run((o) => sync.localEdit(op([3, "y"]), o))), []);
    assert.deepEqual(sentOps(run((o) => sync.localEdit(op([4, "z"]), o))), []);
    assert.equal(sync.pendingEdits, 3);
    const acked = run((o) => sync.onOps([{ rev: 1, client_id: "c1", seq: 1 }], o));
    assert.deepEqual(sentOps(acked), [{ type: "op", doc: "d", rev: 1, seq: 2, op: [3, "yz"] }]);
    assert.equal(sync.pendingEdits, 2);
    run((o) => sync.onOps([{ rev: 2, client_id: "c1", seq: 2 }], o));
    assert.equal(sync.pendingEdits, 0);
    assert.ok(sync.synchronized);
  });

  test("someone else's op is transformed past pending edits and moves the peers", () => {
    const sync = new DocumentSync("d", "c1");
    sync.mySession = "s-me";
    sync.openMessage();
    run((o) =>
      sync.onOpened(
        { type: "opened", doc: "d", revision: 0, text: "xyz", presence: [{ session: "s-2", client_id: "c2", name: "Bo", anchor: 3, head: 3 }] },
        o,
      ),
    );
    run((o) => sync.localEdit(op([1, "A", 2]), o));
    const out = run((o) => sync.onOps([{ rev: 1, client_id: "c2", op: ["B", 3] }], o));
    const remote = out.events.find((e) => e.kind === "remote") as Extract<SyncEvent, { kind: "remote" }>;
    assert.deepEqual(remote.op.toJSON(), ["B", 4]);
    assert.deepEqual(sync.peers.get("s-2")?.selection, { anchor: 5, head: 5 });
  });

  test("the out-of-stream ack of a duplicate resend counts once, its in-stream twin is dropped", () => {
    const sync = new DocumentSync("d", "c1");
    opened(sync, "", 0);
    run((o) => sync.localEdit(op(["a"]), o));
    sync.connectionLost();
    sync.openMessage();
    // The resume shows nothing new yet; the resend of seq 1 follows.
    const resumed = run((o) => sync.onOpened({ type: "opened", doc: "d", revision: 0, ops: [], presence: [] }, o));
    assert.deepEqual(sentOps(resumed), [{ type: "op", doc: "d", rev: 0, seq: 1, op: ["a"] }]);
    run((o) => sync.onOps([{ rev: 1, client_id: "c1", seq: 1, duplicate: true }], o));
    assert.equal(sync.revision, 1);
    assert.ok(sync.synchronized);
    const twin = run((o) => sync.onOps([{ rev: 1, client_id: "c1", seq: 1 }], o));
    assert.deepEqual(twin.send, []);
    assert.equal(sync.revision, 1);
  });

  test("a resume's catch-up turns own entries into acks and then resends what is still in flight", () => {
    const sync = new DocumentSync("d", "c1");
    opened(sync, "", 0);
    run((o) => sync.localEdit(op(["a"]), o)); // seq 1, in flight
    run((o) => sync.localEdit(op([1, "b"]), o)); // buffered
    sync.connectionLost();
    sync.openMessage();
    const ops: OpsEntry[] = [
      { rev: 1, client_id: "c2", op: ["X"] },
      { rev: 2, client_id: "c1", seq: 1 },
    ];
    const out = run((o) => sync.onOpened({ type: "opened", doc: "d", revision: 2, ops, presence: [] }, o));
    assert.deepEqual(kinds(out).slice(0, 3), ["remote", "ack", "resumed"]);
    // Ours went left of the concurrent "X": "a" + "b" + "X".
    assert.deepEqual(sentOps(out), [{ type: "op", doc: "d", rev: 2, seq: 2, op: [1, "b", 1] }]);
  });

  test("a resume answered with the text drops pending edits and says so", () => {
    const sync = new DocumentSync("d", "c1");
    opened(sync, "abc", 3);
    run((o) => sync.localEdit(op([3, "!"]), o));
    sync.connectionLost();
    sync.openMessage();
    const out = run((o) => sync.onOpened({ type: "opened", doc: "d", revision: 9, text: "server", presence: [] }, o));
    const loaded = out.events[0] as Extract<SyncEvent, { kind: "loaded" }>;
    assert.equal(loaded.kind, "loaded");
    assert.equal(loaded.localEditsDropped, true);
    assert.equal(sync.pendingEdits, 0);
    assert.equal(sync.revision, 9);
  });

  test("a refused edit reloads the server's text and reuses the refused seq", () => {
    const sync = new DocumentSync("d", "c1");
    opened(sync, "abc", 0);
    run((o) => sync.localEdit(op([3, "!"]), o));
    const out = run((o) => sync.onError({ type: "error", code: "doc_too_large", message: "too big", doc: "d", seq: 1 }, o));
    assert.deepEqual(
      out.send.map((m: ClientMessage) => m.type),
      ["close", "open"],
    );
    assert.equal((out.send[1] as { revision?: number }).revision, undefined);
    const reloaded = run((o) => sync.onOpened({ type: "opened", doc: "d", revision: 0, text: "abc", presence: [] }, o));
    assert.equal((reloaded.events[0] as Extract<SyncEvent, { kind: "loaded" }>).localEditsDropped, true);
    assert.equal(sentOps(run((o) => sync.localEdit(op([3, "?"]), o)))[0]?.seq, 1);
  });

  test("rate_limited resends after a growing delay; not_open reopens", () => {
    const sync = new DocumentSync("d", "c1");
    opened(sync, "", 0);
    run((o) => sync.localEdit(op(["a"]), o));
    const limited = { type: "error" as const, code: "rate_limited", message: "slow down", doc: "d", seq: 1 };
    const first = run((o) => sync.onError(limited, o));
    const second = run((o) => sync.onError(limited, o));
    assert.ok(first.resendAfterMs! > 0 && second.resendAfterMs! > first.resendAfterMs!);
    assert.deepEqual(sentOps(run((o) => sync.resendDue(o)))[0]?.seq, 1);
    const notOpen = run((o) => sync.onError({ type: "error", code: "not_open", message: "?", doc: "d", seq: 1 }, o));
    assert.equal(notOpen.send[0]?.type, "open");
    assert.equal((notOpen.send[0] as { revision?: number }).revision, 0);
  });

  test("a gap in the revisions reloads the document", () => {
    const sync = new DocumentSync("d", "c1");
    opened(sync, "", 0);
    const out = run((o) => sync.onOps([{ rev: 2, client_id: "c2", op: ["x"] }], o));
    assert.deepEqual(
      out.send.map((m) => m.type),
      ["close", "open"],
    );
  });

  test("presence goes out only while nothing is in flight, in server coordinates", () => {
    const sync = new DocumentSync("d", "c1");
    opened(sync, "abc", 0);
    const now = run((o) => sync.setSelection({ anchor: 1, head: 1 }, o));
    assert.deepEqual(now.send, [{ type: "presence", doc: "d", rev: 0, anchor: 1, head: 1 }]);
    run((o) => sync.localEdit(op([1, "x", 2]), o));
    assert.deepEqual(run((o) => sync.setSelection({ anchor: 2, head: 2 }, o)).send, []);
    const afterAck = run((o) => sync.onOps([{ rev: 1, client_id: "c1", seq: 1 }], o));
    assert.deepEqual(afterAck.send, [{ type: "presence", doc: "d", rev: 1, anchor: 2, head: 2 }]);
  });
});

// A server that speaks the protocol's document rules: a revision log, transform of a stale
// submission (left), duplicates by (client, seq) answered out of the stream, and per
// session a stream position; resume from a revision replays the entries since then.
class SimServer {
  text = "";
  log: { op: Operation; client: string; seq: number }[] = [];
  last = new Map<string, { seq: number; rev: number }>();

  submit(client: string, seq: number, base: number, o: Operation): { rev: number; duplicate: boolean } {
    const last = this.last.get(client);
    if (last && last.seq === seq) return { rev: last.rev, duplicate: true };
    assert.ok(!last || seq === last.seq + 1, `seq ${seq} after ${last?.seq} from ${client}`);
    let t = o;
    for (const h of this.log.slice(base)) t = transform(t, h.op, "left").aPrime;
    this.text = apply(this.text, t);
    this.log.push({ op: t, client, seq });
    this.last.set(client, { seq, rev: this.log.length });
    return { rev: this.log.length, duplicate: false };
  }

  entry(rev: number, forClient: string): OpsEntry {
    const e = this.log[rev - 1]!;
    return e.client === forClient ? { rev, client_id: e.client, seq: e.seq } : { rev, client_id: e.client, op: e.op.toJSON() };
  }
}

test("web clients converge with the server through random edits, lost connections and duplicate resends", () => {
  const seed = seedFromEnv();
  const rng = new Random(seed);
  for (let round = 0; round < 30; round++) {
    const where = `OTTER_SEED=${seed}, round ${round}`;
    const server = new SimServer();
    type Peer = { sync: DocumentSync; text: string; up: OpMessage[]; down: OpsEntry[][]; heard: number; connected: boolean };
    const peers: Peer[] = [];
    const apply_ = (p: Peer, out: Effects): void => {
      for (const e of out.events) {
        if (e.kind === "loaded") p.text = e.text;
        if (e.kind === "remote") p.text = apply(p.text, e.op);
      }
      for (const m of out.send) if (m.type === "op" && p.connected) p.up.push(m);
    };
    for (let i = 0; i < 3; i++) {
      const sync = new DocumentSync("d", `c${i}`);
      const p: Peer = { sync, text: "", up: [], down: [], heard: 0, connected: true };
      sync.openMessage();
      apply_(p, run((o) => sync.onOpened({ type: "opened", doc: "d", revision: 0, text: "", presence: [] }, o)));
      peers.push(p);
    }
    // The server streams every new revision to every connected session.
    const publish = (): void => {
      for (const p of peers) {
        if (!p.connected) continue;
        const batch: OpsEntry[] = [];
        while (p.heard < server.log.length) batch.push(server.entry(++p.heard, p.sync.clientId));
        if (batch.length) p.down.push(batch);
      }
    };
    const reconnect = (p: Peer): void => {
      p.connected = true;
      const open = p.sync.openMessage();
      const since = open.revision ?? 0;
      const ops: OpsEntry[] = [];
      for (let r = since + 1; r <= server.log.length; r++) ops.push(server.entry(r, p.sync.clientId));
      p.heard = server.log.length;
      apply_(p, run((o) => p.sync.onOpened({ type: "opened", doc: "d", revision: server.log.length, ops, presence: [] }, o)));
    };
    const deliverUp = (p: Peer): void => {
      const m = p.up.shift();
      if (!m) return;
      const { rev, duplicate } = server.submit(p.sync.clientId, m.seq, m.rev, fromJson(m.op));
      publish();
      if (duplicate) p.down.push([{ rev, client_id: p.sync.clientId, seq: m.seq, duplicate: true }]);
    };
    for (let step = 0; step < 400; step++) {
      const p = peers[rng.int(0, peers.length - 1)]!;
      const r = rng.next();
      if (r < 0.3) {
        const { op: edit, result } = randomOp(rng, p.text);
        if (edit.isIdentity()) continue;
        p.text = result;
        apply_(p, run((o) => p.sync.localEdit(edit, o)));
      } else if (r < 0.55) {
        if (p.connected) deliverUp(p);
      } else if (r < 0.93) {
        const batch = p.connected ? p.down.shift() : undefined;
        if (batch) apply_(p, run((o) => p.sync.onOps(batch, o)));
      } else if (p.connected) {
        // The connection drops: what was in flight either way may or may not have arrived.
        if (rng.next() < 0.5) deliverUp(p);
        p.connected = false;
        p.up = [];
        p.down = [];
        p.sync.connectionLost();
      } else {
        reconnect(p);
      }
    }
    for (let guard = 0; guard < 10000; guard++) {
      let busy = false;
      for (const p of peers) {
        if (!p.connected) reconnect(p);
        while (p.up.length) {
          deliverUp(p);
          busy = true;
        }
        while (p.down.length) {
          const batch = p.down.shift()!;
          apply_(p, run((o) => p.sync.onOps(batch, o)));
          busy = true;
        }
      }
      if (!busy) break;
    }
    peers.forEach((p, i) => {
      assert.equal(p.sync.pendingEdits, 0, `${where}: peer ${i} has pending edits`);
      assert.equal(p.text, server.text, `${where}: peer ${i}`);
      assert.equal(p.sync.revision, server.log.length, `${where}: peer ${i}`);
    });
  }
});
