// The client state machine: the same transitions as ot/client.hpp, and convergence of
// several clients with a simulated server (random edits, random delivery, lost connections
// with resume and duplicate resends), seeded.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { apply, Client, fromJson, type Operation, OtError, transform } from "../../src/ot/index.js";
import { Random, randomOp, seedFromEnv } from "./testing.js";

const op = (wire: unknown) => fromJson(wire);

describe("the OT client", () => {
  test("sends the first edit, buffers the rest and sends the buffer on the ack", () => {
    const client = new Client(3, 2);
    const first = client.applyClient(op([2, "a"]));
    assert.deepEqual({ seq: first?.seq, base: first?.baseRevision, op: first?.op.toJSON() }, { seq: 1, base: 3, op: [2, "a"] });
    assert.equal(client.state, "awaiting_confirm");
    assert.equal(client.applyClient(op([3, "b"])), null);
    assert.equal(client.applyClient(op([4, "c"])), null);
    assert.equal(client.state, "awaiting_with_buffer");
    assert.deepEqual(client.buffer?.toJSON(), [3, "bc"]);
    assert.ok(client.awaitsAck(1, 4));
    assert.ok(!client.awaitsAck(1, 5));
    assert.ok(!client.awaitsAck(2, 4));
    const next = client.serverAck();
    assert.deepEqual({ seq: next?.seq, base: next?.baseRevision, op: next?.op.toJSON() }, { seq: 2, base: 4, op: [3, "bc"] });
    assert.equal(client.serverAck(), null);
    assert.equal(client.state, "synchronized");
    assert.equal(client.revision, 5);
  });

  test("transforms pending edits past a server op, pending ones left", () => {
    const client = new Client(0, 3); // "xyz"
    client.applyClient(op([1, "A", 2])); // in flight
    client.applyClient(op([4, "!"])); // buffered
    const toApply = client.applyServer(op([1, "B", 2]));
    assert.deepEqual(toApply.toJSON(), [2, "B", 3]); // after our "A": ours are left
    assert.deepEqual(client.outstanding?.toJSON(), [1, "A", 3]);
    assert.deepEqual(client.buffer?.toJSON(), [5, "!"]);
    assert.equal(client.revision, 1);
    assert.equal(client.documentLength, 6);
  });

  test("the selection follows edits, typed text ends before it", () => {
    const client = new Client(0, 4);
    client.selection = { anchor: 2, head: 2 };
    client.applyClient(op([2, "ab", 2]));
    assert.deepEqual(client.selection, { anchor: 4, head: 4 });
    client.applyServer(op(["😀", 4]));
    assert.deepEqual(client.selection, { anchor: 5, head: 5 });
  });

  test("resend repeats the op in flight with its seq, rebased on the revision", () => {
    const client = new Client(0, 0);
    client.applyClient(op(["a"]));
    client.applyServer(op(["b"]));
    const again = client.resend();
    assert.deepEqual({ seq: again?.seq, base: again?.baseRevision, op: again?.op.toJSON() }, { seq: 1, base: 1, op: ["a", 1] });
  });

  test("errors leave the client unchanged", () => {
    const client = new Client(7, 2);
    assert.throws(() => client.serverAck(), (e) => e instanceof OtError && e.code === "no_outstanding_op");
    assert.throws(() => client.applyClient(op([3])), (e) => e instanceof OtError && e.code === "base_length_mismatch");
    client.applyClient(op([2, "x"]));
    assert.throws(() => client.applyServer(op([3])), (e) => e instanceof OtError && e.code === "base_length_mismatch");
    assert.equal(client.revision, 7);
    assert.equal(client.documentLength, 3);
    assert.deepEqual(client.outstanding?.toJSON(), [2, "x"]);
  });

  test("reset drops pending edits, keeps seqs increasing and clamps the selection", () => {
    const client = new Client(0, 5);
    client.selection = { anchor: 5, head: 5 };
    client.applyClient(op([5, "x"]));
    client.reset(9, 2);
    assert.equal(client.state, "synchronized");
    assert.deepEqual(client.selection, { anchor: 2, head: 2 });
    assert.equal(client.applyClient(op([2, "y"]))?.seq, 2);
  });
});

// A server as docs/ot.md describes it: transforms a submission at base r through the ops
// since r (the submission left), drops a duplicate (client, seq).
class SimServer {
  text = "";
  history: { op: Operation; client: number; seq: number }[] = [];
  lastSeq = new Map<number, { seq: number; rev: number }>();

  submit(client: number, seq: number, base: number, op: Operation): { rev: number; duplicate: boolean } {
    const last = this.lastSeq.get(client);
    if (last && last.seq === seq) return { rev: last.rev, duplicate: true };
    assert.ok(!last || seq === last.seq + 1, "seqs go up by one");
    let o = op;
    for (const h of this.history.slice(base)) o = transform(o, h.op, "left").aPrime;
    this.text = apply(this.text, o);
    this.history.push({ op: o, client, seq });
    this.lastSeq.set(client, { seq, rev: this.history.length });
    return { rev: this.history.length, duplicate: false };
  }
}

type Frame = { kind: "op"; seq: number; base: number; op: Operation };

test("clients converge with the server through random edits, delays and lost connections", () => {
  const seed = seedFromEnv();
  const rng = new Random(seed);
  for (let round = 0; round < 40; round++) {
    const where = `OTTER_SEED=${seed}, round ${round}`;
    const server = new SimServer();
    const n = 3;
    const clients = Array.from({ length: n }, () => ({ ot: new Client(0, 0), text: "", toServer: [] as Frame[], heard: 0, connected: true }));
    // Delivery of the server's stream to client i: entries from `heard` on.
    const deliverOne = (i: number): void => {
      const c = clients[i]!;
      const entry = server.history[c.heard];
      if (!entry) return;
      c.heard++;
      if (entry.client === i) {
        if (c.ot.awaitsAck(entry.seq, c.heard)) {
          const next = c.ot.serverAck();
          if (next) c.toServer.push({ kind: "op", seq: next.seq, base: next.baseRevision, op: next.op });
        }
        // else: an ack already counted (cannot happen in order) — would be a bug
        else assert.fail(`${where}: client ${i} got an ack it did not await`);
      } else {
        c.text = apply(c.text, c.ot.applyServer(entry.op));
      }
    };
    for (let step = 0; step < 300; step++) {
      const i = rng.int(0, n - 1);
      const c = clients[i]!;
      const r = rng.next();
      if (r < 0.35) {
        const { op: edit, result } = randomOp(rng, c.text);
        if (edit.isIdentity()) continue;
        c.text = result;
        const sub = c.ot.applyClient(edit);
        if (sub) c.toServer.push({ kind: "op", seq: sub.seq, base: sub.baseRevision, op: sub.op });
      } else if (r < 0.6) {
        if (c.connected && c.toServer.length > 0) {
          const f = c.toServer.shift()!;
          server.submit(i, f.seq, f.base, f.op);
        }
      } else if (r < 0.95) {
        if (c.connected) deliverOne(i);
      } else if (c.connected) {
        // The connection drops: frames in flight either way are lost (the server may or
        // may not have applied the op in flight).
        c.connected = false;
        c.toServer = [];
      } else {
        // Reconnect and resume from the client's revision, then resend the op in flight.
        c.connected = true;
        c.heard = c.ot.revision;
        while (c.heard < server.history.length) deliverOne(i);
        const again = c.ot.resend();
        if (again) {
          const { rev, duplicate } = server.submit(i, again.seq, again.baseRevision, again.op);
          // A duplicate's ack is out of the stream; the in-stream entry does the work.
          if (duplicate) assert.ok(rev <= server.history.length, where);
        }
      }
    }
    // Quiesce: everyone reconnects; all frames flow until nothing is left.
    for (let guard = 0; guard < 10000; guard++) {
      let busy = false;
      clients.forEach((c, i) => {
        if (!c.connected) {
          c.connected = true;
          c.heard = c.ot.revision;
          const again = c.ot.resend();
          if (again) c.toServer.push({ kind: "op", seq: again.seq, base: again.baseRevision, op: again.op });
        }
        while (c.toServer.length > 0) {
          const f = c.toServer.shift()!;
          server.submit(i, f.seq, f.base, f.op);
          busy = true;
        }
        while (c.heard < server.history.length) {
          deliverOne(i);
          busy = true;
        }
      });
      if (!busy) break;
    }
    clients.forEach((c, i) => {
      assert.equal(c.ot.state, "synchronized", `${where}: client ${i}`);
      assert.equal(c.text, server.text, `${where}: client ${i}`);
      assert.equal(c.ot.revision, server.history.length, `${where}: client ${i}`);
    });
  }
});
