// Client: the OT state machine of one editing client — the TypeScript twin of ot/client.hpp
// (ot.js's Client), with the same states, transitions, seqs, revision counting, sides and
// errors, so the browser and the C++ clients behave identically against the server.
//
//   synchronized ──applyClient(op)──▶ awaiting_confirm(op)               send op
//   awaiting_confirm(o) ──applyClient(op)──▶ awaiting_with_buffer(o, op)
//   awaiting_with_buffer(o, b) ──applyClient(op)──▶ awaiting_with_buffer(o, compose(b, op))
//   awaiting_confirm(o) ──serverAck()──▶ synchronized
//   awaiting_with_buffer(o, b) ──serverAck()──▶ awaiting_confirm(b)       send b
//   any ──applyServer(op)──▶ same state, pending ops transformed past op (they are "left");
//                            returns the op to apply to the local text
//
// Contract
// - revision is the server revision the client has incorporated: every server op and every
//   ack moves it by one. Submissions carry the base revision and a seq: seqs start at 1 and
//   go up by one per op sent.
// - Lengths are checked (base_length_mismatch): applyClient needs op.baseLength ==
//   documentLength (the local text), applyServer an op that fits the server's text at
//   revision. serverAck with nothing in flight is no_outstanding_op. A throwing call leaves
//   the client unchanged.
// - The local selection follows own edits and remote ones with Side "right" (text typed at
//   the cursor ends up before it).
// - Acks: call serverAck() only for an entry awaitsAck(seq, rev) accepts; drop any other.
// - Reconnect: resume from revision, then send resend(): the op in flight, same seq, rebased
//   on revision. reset(revision, length) after a resync drops pending ops; seqs keep going.
import { compose, transform } from "./algebra.js";
import { type Selection, transformSelection } from "./cursor.js";
import { OtError } from "./errors.js";
import type { Operation } from "./operation.js";

export interface Submission {
  seq: number; // per-client sequence number, from 1
  baseRevision: number; // the server revision op is written against
  op: Operation;
}

export type ClientState = "synchronized" | "awaiting_confirm" | "awaiting_with_buffer";

export class Client {
  private outstanding_: Operation | null = null; // sent, not yet acknowledged
  private buffer_: Operation | null = null; // not sent yet; only while outstanding_ is set
  private revision_: number;
  private nextSeq = 1;
  private outstandingSeq = 0;
  private documentLength_: number;
  private selection_: Selection = { anchor: 0, head: 0 };

  /** A client holding the server's text at `revision`, `documentLength` code points long. */
  constructor(revision: number, documentLength: number) {
    this.revision_ = revision;
    this.documentLength_ = documentLength;
  }

  get state(): ClientState {
    if (!this.outstanding_) return "synchronized";
    return this.buffer_ ? "awaiting_with_buffer" : "awaiting_confirm";
  }
  get revision(): number {
    return this.revision_;
  }
  get documentLength(): number {
    return this.documentLength_;
  }
  get outstanding(): Operation | null {
    return this.outstanding_;
  }
  get buffer(): Operation | null {
    return this.buffer_;
  }
  get selection(): Selection {
    return this.selection_;
  }
  set selection(selection: Selection) {
    this.selection_ = { anchor: selection.anchor, head: selection.head };
  }

  /** A local edit, already applied to the local text. Returns what to send now, or null. */
  applyClient(op: Operation): Submission | null {
    if (op.baseLength !== this.documentLength_) {
      throw new OtError(
        "base_length_mismatch",
        `local op base length ${op.baseLength} does not match the local document length ${this.documentLength_}`,
      );
    }
    const moved = transformSelection(this.selection_, op, "right");
    let toSend: Submission | null = null;
    if (!this.outstanding_) {
      this.outstanding_ = op;
      this.outstandingSeq = this.nextSeq++;
      toSend = this.outstandingSubmission();
    } else if (!this.buffer_) {
      this.buffer_ = op;
    } else {
      this.buffer_ = compose(this.buffer_, op);
    }
    this.selection_ = moved;
    this.documentLength_ = op.targetLength;
    return toSend;
  }

  /** Someone else's op from the server, in revision order. Returns the op to apply locally. */
  applyServer(op: Operation): Operation {
    // The server's text at revision is the local text minus the pending ops.
    const serverLength = this.outstanding_ ? this.outstanding_.baseLength : this.documentLength_;
    if (op.baseLength !== serverLength) {
      throw new OtError(
        "base_length_mismatch",
        `server op base length ${op.baseLength} does not match the server document length ${serverLength} at revision ${this.revision_}`,
      );
    }
    let toApply = op;
    let outstanding: Operation | null = null;
    let buffer: Operation | null = null;
    if (this.outstanding_) {
      const pastOutstanding = transform(this.outstanding_, toApply, "left");
      outstanding = pastOutstanding.aPrime;
      toApply = pastOutstanding.bPrime;
      if (this.buffer_) {
        const pastBuffer = transform(this.buffer_, toApply, "left");
        buffer = pastBuffer.aPrime;
        toApply = pastBuffer.bPrime;
      }
    }
    this.outstanding_ = outstanding;
    this.buffer_ = buffer;
    this.selection_ = transformSelection(this.selection_, toApply, "right");
    this.documentLength_ = toApply.targetLength;
    this.revision_++;
    return toApply;
  }

  /** The server acknowledged the op in flight. Returns the buffered op to send next, if any. */
  serverAck(): Submission | null {
    if (!this.outstanding_) {
      throw new OtError(
        "no_outstanding_op",
        `the server acknowledged an op at revision ${this.revision_ + 1} but this client has no op in flight`,
      );
    }
    this.revision_++;
    this.outstanding_ = this.buffer_;
    this.buffer_ = null;
    if (!this.outstanding_) return null;
    this.outstandingSeq = this.nextSeq++;
    return this.outstandingSubmission();
  }

  /** After a reconnect: the op in flight again (same seq), or null. */
  resend(): Submission | null {
    return this.outstanding_ ? this.outstandingSubmission() : null;
  }

  /** True iff an ack entry (seq, revision) is the ack of the op in flight, due now. */
  awaitsAck(seq: number, revision: number): boolean {
    return this.outstanding_ !== null && seq === this.outstandingSeq && revision === this.revision_ + 1;
  }

  /** Start over from the server's text at `revision`, dropping pending ops. */
  reset(revision: number, documentLength: number): void {
    this.outstanding_ = null;
    this.buffer_ = null;
    this.revision_ = revision;
    this.documentLength_ = documentLength;
    this.selection_ = {
      anchor: Math.min(this.selection_.anchor, documentLength),
      head: Math.min(this.selection_.head, documentLength),
    };
  }

  private outstandingSubmission(): Submission {
    return { seq: this.outstandingSeq, baseRevision: this.revision_, op: this.outstanding_! };
  }
}
