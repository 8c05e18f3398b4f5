// DocumentSync: one document as the web client holds it — the OT client state machine,
// the other sessions' cursors, and what to send and report for each thing the server says.
// Pure and single-threaded: no socket, no clock, no DOM; the Connection does the I/O and the
// editor owns the text. The rules are those of the C++ ClientDocument
// (net/otter_client_document.hpp), so both clients behave the same against the server.
//
//   closed ──openMessage()──▶ opening ──opened──▶ open ──connectionLost()──▶ closed
//                                │                  │ refused edit: close + fresh open
//                                └──open refused──▶ failed
//
// Contract
// - Every input appends what to do to an Effects: frames to send now, in order; events for
//   the editor and the page; possibly a delay after which resendDue() must be called.
// - The text: "loaded" events carry the whole text (replace the editor's); "remote" events
//   carry an op in code points to apply to the editor's text. localEdit() takes an op the
//   user already applied. Invariant: the editor's text is the server's text at revision
//   with the op in flight and the buffer applied.
// - Opening: the first open is fresh; after connectionLost() it resumes from revision (the
//   catch-up ops become remote ops and acks), then the op in flight is resent, same seq.
//   If the server answers a resume with the text, pending edits are dropped (reported).
// - Acks: an own entry (this client id, a seq, no op) is an ack only if Client.awaitsAck()
//   says so; entries at or below revision (the out-of-stream ack of a duplicate resend's
//   in-stream twin) are dropped.
// - Errors about the op in flight (the server did not apply it): rate_limited → resend
//   after a growing delay; internal_error, storage_unavailable → resend now, then after a
//   delay; not_open → reopen (resume); seq_out_of_order → see seqs; anything else (the
//   edit itself is wrong) → reload the server's text, local edits dropped.
//   resync_required without a seq → reopen.
// - Seqs: wire seq = the Client's seq + seqShift. A refused op's seq was not used: the
//   shift goes down by one. An op dropped by a reload whose fate is unknown may have used
//   its seq or not: a later seq_out_of_order then shifts down by one and resends.
// - Presence is sent only while nothing is in flight (only then is the local text the
//   server's text at revision); otherwise it is sent after the ack that synchronises.
//   Peers' selections are kept in local coordinates and moved (side "right", as the server
//   moves them) by every op applied locally.
// - pendingEdits counts local edits (one per localEdit call) the server has not acked.
import {
  Client,
  codePointLength,
  fromJson,
  type Operation,
  type Selection,
  transformSelection,
} from "../ot/index.js";
import type {
  ClientMessage,
  ErrorMessage,
  OpenMessage,
  Opened,
  OpsEntry,
  PeerPresence,
  PresenceBroadcast,
  RequestId,
} from "./protocol.js";

export type Phase = "closed" | "opening" | "open" | "failed";

export interface Peer {
  session: string;
  clientId: string;
  name: string;
  color: string;
  selection: Selection | null; // in local code points
}

export type SyncEvent =
  | { kind: "loaded"; text: string; revision: number; first: boolean; localEditsDropped: boolean }
  | { kind: "resumed"; revision: number }
  | { kind: "remote"; op: Operation; revision: number; clientId: string }
  | { kind: "ack"; revision: number; seq: number }
  | { kind: "peers" }
  | { kind: "error"; code: string; message: string; handled: boolean };

export interface Effects {
  send: ClientMessage[];
  events: SyncEvent[];
  resendAfterMs?: number;
}

export const newEffects = (): Effects => ({ send: [], events: [] });

const IMMEDIATE_RETRIES = 3;
const FIRST_RETRY_DELAY_MS = 100;
const MAX_RETRY_DELAY_MS = 5000;

export class DocumentSync {
  readonly doc: string;
  readonly clientId: string;
  mySession = ""; // this connection's session id, to skip our own presence
  private phase_: Phase = "closed";
  private client: Client | null = null;
  private readonly peers_ = new Map<string, Peer>();
  private nextRequestId = 1;
  private openId: RequestId | null = null;
  private reloading = false;
  private replaying = false;
  private localEditsDropped = false;
  private seqShift = 0;
  private uncertainSeqs = 0;
  private retries = 0;
  private selection_: Selection | null = null;
  private presenceDue = false;
  private outstandingEdits = 0;
  private bufferedEdits = 0;
  private failure_: ErrorMessage | null = null;

  constructor(doc: string, clientId: string) {
    this.doc = doc;
    this.clientId = clientId;
  }

  get phase(): Phase {
    return this.phase_;
  }
  get loaded(): boolean {
    return this.client !== null;
  }
  get revision(): number {
    return this.client?.revision ?? 0;
  }
  get documentLength(): number {
    return this.client?.documentLength ?? 0;
  }
  get pendingEdits(): number {
    return this.outstandingEdits + this.bufferedEdits;
  }
  get synchronized(): boolean {
    return this.client !== null && this.client.outstanding === null;
  }
  get failure(): ErrorMessage | null {
    return this.failure_;
  }
  get peers(): ReadonlyMap<string, Peer> {
    return this.peers_;
  }

  // ------------------------------------------------------------ opening

  openMessage(): OpenMessage {
    const open: OpenMessage = { type: "open", id: `${this.doc}#${this.nextRequestId++}`, doc: this.doc };
    if (this.client && !this.reloading) open.revision = this.client.revision;
    this.openId = open.id;
    this.phase_ = "opening";
    return open;
  }

  connectionLost(): void {
    if (this.phase_ !== "failed") this.phase_ = "closed";
  }

  onOpened(opened: Opened, out: Effects): void {
    if (this.phase_ !== "opening") return; // an answer to an open given up on
    if (typeof opened.text === "string") {
      this.loadText(opened, out);
    } else if (opened.ops && this.client && !this.reloading) {
      this.phase_ = "open";
      this.replaying = true;
      for (const entry of opened.ops) {
        this.applyEntry(entry, out);
        if (this.phase_ !== "open") break; // the catch-up did not fit: reloading
      }
      this.replaying = false;
      if (this.phase_ !== "open") return;
      out.events.push({ kind: "resumed", revision: this.client.revision });
    } else {
      this.phase_ = "open";
      this.reload(`the server answered the open of "${this.doc}" with ops this client cannot resume from`, false, out);
      return;
    }
    this.setPeers(opened.presence ?? [], out);
    if (this.selection_) this.presenceDue = true;
    this.retries = 0;
    this.resendNow(out);
    this.sendPresenceIfDue(out);
  }

  private loadText(opened: Opened, out: Effects): void {
    const text = opened.text!;
    const length = codePointLength(text);
    const first = this.client === null;
    let dropped = this.localEditsDropped;
    if (this.client && this.client.outstanding) {
      // Whether the server applied it, only the text knows; its seq may or may not be used.
      this.uncertainSeqs++;
      dropped = true;
    }
    if (this.client) this.client.reset(opened.revision, length);
    else this.client = new Client(opened.revision, length);
    this.outstandingEdits = 0;
    this.bufferedEdits = 0;
    this.phase_ = "open";
    this.reloading = false;
    this.localEditsDropped = false;
    out.events.push({ kind: "loaded", text, revision: opened.revision, first, localEditsDropped: dropped });
  }

  private reload(why: string, refused: boolean, out: Effects): void {
    if (refused && this.client) {
      // The server did not apply the op in flight: its seq is free again.
      this.seqShift--;
      this.localEditsDropped = true;
      this.client.reset(this.client.revision, this.client.documentLength);
      this.outstandingEdits = 0;
      this.bufferedEdits = 0;
    }
    if (why) out.events.push({ kind: "error", code: "internal_error", message: why, handled: true });
    if (this.phase_ === "open") out.send.push({ type: "close", doc: this.doc });
    this.reloading = true;
    out.send.push(this.openMessage());
  }

  private reopen(out: Effects): void {
    this.phase_ = "closed";
    out.send.push(this.openMessage());
  }

  // ------------------------------------------------------------ the server's stream

  onOps(entries: readonly OpsEntry[], out: Effects): void {
    if (this.phase_ !== "open") return; // before a reload's `opened`: the old stream
    for (const entry of entries) {
      this.applyEntry(entry, out);
      if (this.phase_ !== "open") return;
    }
  }

  private applyEntry(entry: OpsEntry, out: Effects): void {
    const client = this.client!;
    const own = entry.op === undefined && entry.seq !== undefined && entry.client_id === this.clientId;
    if (entry.duplicate) {
      // Out of the revision stream: the ack of a resend whose original is (or will be) in it.
      if (own && client.awaitsAck(this.clientSeq(entry.seq!), entry.rev)) this.applyAck(entry, out);
      return;
    }
    if (entry.rev <= client.revision) return; // already incorporated
    if (entry.rev !== client.revision + 1) {
      this.reload(`"${this.doc}" jumped from revision ${client.revision} to ${entry.rev}; reloading it`, false, out);
      return;
    }
    if (entry.op !== undefined) {
      if (!this.applyRemote(entry, out)) {
        this.reload(`revision ${entry.rev} of "${this.doc}" does not fit the local text; reloading it`, false, out);
      }
      return;
    }
    if (!own || !this.applyAck(entry, out)) {
      this.reload(`revision ${entry.rev} of "${this.doc}" acknowledges an op not in flight; reloading it`, false, out);
    }
  }

  private applyRemote(entry: OpsEntry, out: Effects): boolean {
    let toApply: Operation;
    try {
      toApply = this.client!.applyServer(fromJson(entry.op));
    } catch {
      return false;
    }
    this.movePeers(toApply);
    out.events.push({ kind: "remote", op: toApply, revision: entry.rev, clientId: entry.client_id });
    return true;
  }

  private applyAck(entry: OpsEntry, out: Effects): boolean {
    const client = this.client!;
    if (!client.awaitsAck(this.clientSeq(entry.seq!), entry.rev)) return false;
    const next = client.serverAck();
    this.retries = 0;
    this.outstandingEdits = next ? this.bufferedEdits : 0;
    this.bufferedEdits = 0;
    out.events.push({ kind: "ack", revision: entry.rev, seq: entry.seq! });
    if (next && !this.replaying) this.sendSubmission(next.seq, next.baseRevision, next.op, out);
    this.sendPresenceIfDue(out);
    return true;
  }

  onPresence(presence: PresenceBroadcast, out: Effects): void {
    if (this.phase_ !== "open") return;
    if (presence.session === this.mySession) return;
    if (presence.left) {
      if (this.peers_.delete(presence.session)) out.events.push({ kind: "peers" });
      return;
    }
    this.peers_.set(presence.session, this.toPeer(presence as PeerPresence));
    out.events.push({ kind: "peers" });
  }

  private setPeers(peers: readonly PeerPresence[], out: Effects): void {
    this.peers_.clear();
    for (const p of peers) {
      if (p.session !== this.mySession) this.peers_.set(p.session, this.toPeer(p));
    }
    out.events.push({ kind: "peers" });
  }

  private toPeer(p: PeerPresence): Peer {
    return {
      session: p.session,
      clientId: p.client_id ?? "",
      name: p.name ?? p.client_id ?? "someone",
      color: p.color ?? "#6c71c4",
      selection: typeof p.anchor === "number" ? this.toLocal({ anchor: p.anchor, head: p.head ?? p.anchor }) : null,
    };
  }

  // A peer's selection is at the server's revision; the local text also has the pending
  // ops, which the server will move it past (as "right") when it applies them.
  private toLocal(selection: Selection): Selection {
    let s = selection;
    const client = this.client;
    if (client?.outstanding) s = transformSelection(s, client.outstanding, "right");
    if (client?.buffer) s = transformSelection(s, client.buffer, "right");
    const length = this.documentLength;
    return { anchor: Math.min(s.anchor, length), head: Math.min(s.head, length) };
  }

  // Every op applied locally moves the peers' selections and our own (not yet sent) one.
  private movePeers(op: Operation): void {
    if (this.selection_) this.selection_ = transformSelection(this.selection_, op, "right");
    for (const peer of this.peers_.values()) {
      if (peer.selection) peer.selection = transformSelection(peer.selection, op, "right");
    }
  }

  // ------------------------------------------------------------ local edits and presence

  /** The user edited the text with `op` (already applied to the editor). */
  localEdit(op: Operation, out: Effects): void {
    const client = this.client;
    if (!client) throw new Error(`"${this.doc}" is not loaded yet: there is no text to edit`);
    const submission = client.applyClient(op);
    if (submission) this.outstandingEdits = 1;
    else this.bufferedEdits++;
    this.movePeers(op);
    if (submission && this.phase_ === "open") {
      this.sendSubmission(submission.seq, submission.baseRevision, submission.op, out);
    }
  }

  /** The local selection, in local code points; null clears it. */
  setSelection(selection: Selection | null, out: Effects): void {
    this.selection_ = selection;
    this.presenceDue = true;
    this.sendPresenceIfDue(out);
  }

  private sendPresenceIfDue(out: Effects): void {
    if (!this.presenceDue || this.phase_ !== "open" || !this.synchronized) return;
    this.presenceDue = false;
    const rev = this.client!.revision;
    const s = this.selection_;
    out.send.push(
      s
        ? { type: "presence", doc: this.doc, rev, anchor: s.anchor, head: s.head }
        : { type: "presence", doc: this.doc, rev, anchor: null },
    );
  }

  // ------------------------------------------------------------ errors and resends

  onError(error: ErrorMessage, out: Effects): void {
    const inFlight = this.outstandingWireSeq();
    const event = { kind: "error" as const, code: error.code, message: error.message, handled: false };
    if (this.phase_ === "opening" && error.id !== undefined && error.id === this.openId) {
      this.phase_ = "failed";
      this.failure_ = error;
    } else if (this.phase_ === "open" && error.seq !== undefined && inFlight !== null && error.seq === inFlight) {
      event.handled = true;
      out.events.push(event);
      switch (error.code) {
        case "rate_limited":
          this.scheduleResend(out);
          return;
        case "internal_error":
        case "storage_unavailable":
          if (++this.retries <= IMMEDIATE_RETRIES) this.resendNow(out);
          else this.scheduleResend(out);
          return;
        case "not_open":
          this.reopen(out);
          return;
        case "seq_out_of_order":
          if (this.uncertainSeqs > 0) {
            // A dropped op's seq was not used after all: use it now.
            this.uncertainSeqs--;
            this.seqShift--;
            this.resendNow(out);
            return;
          }
          event.handled = false;
          this.reload("", true, out);
          return;
        default:
          this.reload("", true, out); // the edit itself was refused: back to the server's text
          return;
      }
    } else if (this.phase_ === "open" && error.code === "resync_required" && error.seq === undefined) {
      event.handled = true;
      out.events.push(event);
      this.reopen(out);
      return;
    }
    out.events.push(event);
  }

  resendDue(out: Effects): void {
    this.resendNow(out);
  }

  private resendNow(out: Effects): void {
    if (this.phase_ !== "open" || !this.client) return;
    const again = this.client.resend();
    if (again) this.sendSubmission(again.seq, again.baseRevision, again.op, out);
  }

  private scheduleResend(out: Effects): void {
    const doublings = Math.min(this.retries, 10);
    this.retries++;
    out.resendAfterMs = Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_DELAY_MS * 2 ** doublings);
  }

  private sendSubmission(seq: number, rev: number, op: Operation, out: Effects): void {
    out.send.push({ type: "op", doc: this.doc, rev, seq: this.wireSeq(seq), op: op.toJSON() });
  }

  private wireSeq(clientSeq: number): number {
    return clientSeq + this.seqShift;
  }

  private clientSeq(wire: number): number {
    const seq = wire - this.seqShift;
    return seq > 0 ? seq : 0; // 0 is never a client seq
  }

  private outstandingWireSeq(): number | null {
    const again = this.client?.resend();
    return again ? this.wireSeq(again.seq) : null;
  }
}
