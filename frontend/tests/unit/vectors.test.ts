// Every case of the shared vectors (tests/vectors/ot_vectors.json), which the C++ engine
// also passes (tests/ot/vectors_test.cpp): both sides of the wire compute the same ops.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import vectors from "../../../tests/vectors/ot_vectors.json";
import {
  apply,
  Client,
  codePointLength,
  compose,
  decode,
  fromJson,
  invert,
  Operation,
  OtError,
  type Selection,
  type Side,
  type Submission,
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
    for (const kind of ["apply", "compose", "transform", "invert", "cursor", "selection", "decode", "client"] as const) {
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

  // The client state machine: a Client and the local text it edits, driven step by step
  // (the format is described in the vector file's "about").
  describe("client", () => {
    type Sent = { seq: number; base_revision: number; op: Wire } | null;
    type Expect = {
      state: string;
      revision: number;
      doc: string;
      selection: Selection;
      send?: Sent;
      apply?: Wire;
      outstanding?: Wire | null;
      buffer?: Wire | null;
      dropped?: boolean;
      error?: string;
    };
    type Step = {
      event: string;
      op?: Wire;
      revision?: number;
      seq?: number;
      anchor?: number;
      head?: number;
      expect: Expect;
    };
    type Case = { name: string; doc: string; revision: number; selection?: Selection; steps: Step[] };

    const wire = (sent: Submission | null): Sent =>
      sent && { seq: sent.seq, base_revision: sent.baseRevision, op: sent.op.toJSON() as Wire };
    const expectSent = (sent: Submission | null, expected: Sent | undefined, where: string) => {
      assert.ok(expected !== undefined, `${where}: the step names what is sent`);
      assert.deepEqual(wire(sent), expected, `${where}: sent`);
    };
    // Runs a call that expect.error says fails (then the client must be unchanged) or not.
    const call = <T>(expect: Expect, f: () => T): T | undefined => {
      if (expect.error === undefined) return f();
      assert.throws(f, expectError(expect.error));
      return undefined;
    };

    for (const c of vectors.client as unknown as Case[]) {
      test(c.name, () => {
        let doc = c.doc;
        const client = new Client(c.revision, codePointLength(doc));
        if (c.selection) client.selection = c.selection;
        c.steps.forEach((step, i) => {
          const where = `step ${i + 1} (${step.event})`;
          const expect = step.expect;
          switch (step.event) {
            case "local": {
              const local = op(step.op);
              const sent = call(expect, () => client.applyClient(local));
              if (sent !== undefined) {
                doc = apply(doc, local);
                expectSent(sent, expect.send, where);
              }
              break;
            }
            case "remote": {
              assert.equal(step.revision, client.revision + 1, `${where}: the vector skips a revision`);
              const remote = op(step.op);
              const toApply = call(expect, () => client.applyServer(remote));
              if (toApply !== undefined) {
                assert.deepEqual(toApply.toJSON(), expect.apply, `${where}: the op to apply`);
                doc = apply(doc, toApply);
              }
              break;
            }
            case "ack": {
              const awaited = client.awaitsAck(step.seq!, step.revision!);
              if (expect.error !== undefined) {
                assert.ok(!awaited, where);
                call(expect, () => client.serverAck());
              } else if (expect.dropped) {
                assert.ok(!awaited, `${where}: the client awaits this ack`);
              } else {
                assert.ok(awaited, `${where}: the client does not await this ack`);
                expectSent(client.serverAck(), expect.send, where);
              }
              break;
            }
            case "resend":
              expectSent(client.resend(), expect.send, where);
              break;
            case "select":
              client.selection = { anchor: step.anchor!, head: step.head! };
              break;
            default:
              assert.fail(`${where}: unknown event ${step.event}`);
          }
          assert.deepEqual(
            { state: client.state, revision: client.revision, doc, selection: client.selection },
            { state: expect.state, revision: expect.revision, doc: expect.doc, selection: expect.selection },
            where,
          );
          assert.equal(client.documentLength, codePointLength(doc), where);
          if (expect.outstanding !== undefined) {
            assert.deepEqual(client.outstanding?.toJSON() ?? null, expect.outstanding, `${where}: outstanding`);
          }
          if (expect.buffer !== undefined) {
            assert.deepEqual(client.buffer?.toJSON() ?? null, expect.buffer, `${where}: buffer`);
          }
        });
      });
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
