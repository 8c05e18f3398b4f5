// Connection: the web client's one WebSocket to otterd (/ws) — hello, the documents open on
// it, reconnects with backoff that resume every document and resend its op in flight, and
// a connection state for people ("connected", "reconnecting", "offline").
//
// Contract
// - start() connects; on `welcome` every document is (re)opened: fresh the first time,
//   resumed from its revision after that (DocumentSync decides). stop() closes for good.
// - A lost socket (closed, errored, or silent for two heartbeats) is reconnected after
//   FIRST_BACKOFF_MS, doubling up to MAX_BACKOFF_MS, with jitter; at once when the browser
//   says it is back online. State "offline" means the browser is offline or OFFLINE_AFTER
//   attempts in a row failed; "reconnecting" is any earlier retry.
// - Frames are sent only on an open socket after `welcome`; what could not be sent is not
//   queued: DocumentSync resends the op in flight and the presence after the next open.
// - Every DocumentSync event is passed to the listeners of that document, in order, after
//   the frames it caused were sent.
// - Pages that speak more than documents (the dashboard): onWelcome() listeners run after
//   every welcome (the first and each reconnect), onMessage() listeners get every server
//   message after the connection handled it, and sendMessage() sends one frame if it can.
import type { Operation, Selection } from "../ot/index.js";
import { DocumentSync, type Effects, newEffects, type SyncEvent } from "./document_sync.js";
import { type ClientMessage, type Hello, parseServerMessage, PROTOCOL_VERSION, type ServerMessage } from "./protocol.js";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";

export const FIRST_BACKOFF_MS = 250;
export const MAX_BACKOFF_MS = 8000;
export const OFFLINE_AFTER = 3;

export interface Identity {
  clientId: string;
  name: string;
  color: string;
}

export interface ConnectionOptions extends Identity {
  url: string; // ws://host/ws
  token?: string; // hello.token (an admin token, for the dashboard's crash button)
}

type StateListener = (state: ConnectionState) => void;
type DocListener = (event: SyncEvent, sync: DocumentSync) => void;
type MessageListener = (message: ServerMessage) => void;

export class Connection {
  private readonly url: string;
  private identity: Identity;
  private readonly token: string | undefined;
  private socket: WebSocket | null = null;
  private welcomed = false;
  private stopped = true;
  private state_: ConnectionState = "connecting";
  private failedAttempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private livenessTimer: ReturnType<typeof setInterval> | null = null;
  private lastHeard = 0;
  private heartbeatMs = 15000;
  private session_ = "";
  private readonly docs = new Map<string, DocumentSync>();
  private readonly docListeners = new Map<string, Set<DocListener>>();
  private readonly resendTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly stateListeners = new Set<StateListener>();
  private readonly welcomeListeners = new Set<() => void>();
  private readonly messageListeners = new Set<MessageListener>();
  /** When the next reconnect attempt is due (ms since the epoch), or null. */
  nextRetryAt: number | null = null;

  constructor(options: ConnectionOptions) {
    this.url = options.url;
    this.identity = { clientId: options.clientId, name: options.name, color: options.color };
    this.token = options.token;
  }

  get state(): ConnectionState {
    return this.state_;
  }
  get session(): string {
    return this.session_;
  }
  get clientId(): string {
    return this.identity.clientId;
  }

  onState(listener: StateListener): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Runs after every welcome: the place to (re)subscribe to what the page shows. */
  onWelcome(listener: () => void): () => void {
    this.welcomeListeners.add(listener);
    return () => this.welcomeListeners.delete(listener);
  }

  /** Every message from the server, after the connection handled it. */
  onMessage(listener: MessageListener): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Sends `message` now if the socket is open and welcomed; false if it could not. */
  sendMessage(message: ClientMessage): boolean {
    if (!this.welcomed || !this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.sendRaw(message);
    return true;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    if (typeof window !== "undefined") {
      window.addEventListener("online", this.onOnline);
      window.addEventListener("offline", this.onOffline);
    }
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (typeof window !== "undefined") {
      window.removeEventListener("online", this.onOnline);
      window.removeEventListener("offline", this.onOffline);
    }
    this.clearRetry();
    this.socket?.close(1000, "bye");
    this.dropSocket();
  }

  /** A new name or colour: reconnect so the server announces it. */
  setIdentity(name: string, color: string): void {
    this.identity = { ...this.identity, name, color };
    if (this.stopped || !this.socket) return;
    this.dropSocket();
    for (const sync of this.docs.values()) sync.connectionLost();
    this.connect();
  }

  /** The document `doc`, opened on this connection (at once if connected). */
  open(doc: string, listener: DocListener): DocumentSync {
    let sync = this.docs.get(doc);
    if (!sync) {
      sync = new DocumentSync(doc, this.identity.clientId);
      sync.mySession = this.session_;
      this.docs.set(doc, sync);
    }
    let listeners = this.docListeners.get(doc);
    if (!listeners) this.docListeners.set(doc, (listeners = new Set()));
    listeners.add(listener);
    if (this.welcomed && sync.phase === "closed") this.send(sync.openMessage());
    return sync;
  }

  localEdit(doc: string, op: Operation): void {
    this.run(doc, (sync, out) => sync.localEdit(op, out));
  }

  setSelection(doc: string, selection: Selection | null): void {
    this.run(doc, (sync, out) => sync.setSelection(selection, out));
  }

  /** Reconnect now instead of waiting for the backoff (the "retry now" button). */
  retryNow(): void {
    if (this.stopped || this.socket) return;
    this.clearRetry();
    this.connect();
  }

  // ------------------------------------------------------------ the socket

  private connect(): void {
    if (this.stopped) return;
    this.nextRetryAt = null;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this.lost();
      return;
    }
    this.socket = socket;
    this.welcomed = false;
    socket.onopen = () => {
      this.lastHeard = Date.now();
      const { clientId, name, color } = this.identity;
      const hello: Hello = { type: "hello", version: PROTOCOL_VERSION, client_id: clientId, name, color };
      if (this.token) hello.token = this.token;
      this.sendRaw(hello);
    };
    socket.onmessage = (event: MessageEvent) => {
      if (socket !== this.socket) return;
      this.lastHeard = Date.now();
      if (typeof event.data !== "string") return;
      const message = parseServerMessage(event.data);
      if (!message) return;
      this.receive(message);
      if (socket !== this.socket) return; // handling it dropped the socket
      for (const listener of this.messageListeners) listener(message);
    };
    socket.onclose = () => {
      if (socket === this.socket) this.lost();
    };
    socket.onerror = () => {
      // onclose follows and does the work.
    };
  }

  private receive(message: ServerMessage): void {
    switch (message.type) {
      case "welcome": {
        this.welcomed = true;
        this.failedAttempts = 0;
        this.session_ = message.session;
        this.heartbeatMs = message.heartbeat_ms > 0 ? message.heartbeat_ms : 15000;
        this.startLiveness();
        this.setState("connected");
        for (const sync of this.docs.values()) {
          sync.mySession = this.session_;
          if (sync.phase !== "failed") this.send(sync.openMessage());
        }
        for (const listener of this.welcomeListeners) listener();
        return;
      }
      case "opened":
        this.run(message.doc, (sync, out) => sync.onOpened(message, out));
        return;
      case "ops":
        this.run(message.doc, (sync, out) => sync.onOps(message.ops, out));
        return;
      case "presence":
        this.run(message.doc, (sync, out) => sync.onPresence(message, out));
        return;
      case "error":
        if (message.doc !== undefined) this.run(message.doc, (sync, out) => sync.onError(message, out));
        return;
      default:
        return; // pong, closed: nothing to do
    }
  }

  private lost(): void {
    this.dropSocket();
    for (const sync of this.docs.values()) sync.connectionLost();
    if (this.stopped) return;
    this.failedAttempts++;
    const offline = (typeof navigator !== "undefined" && navigator.onLine === false) || this.failedAttempts > OFFLINE_AFTER;
    this.setState(offline ? "offline" : "reconnecting");
    const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.min(this.failedAttempts - 1, 10));
    const delay = Math.round(backoff * (0.75 + Math.random() * 0.5));
    this.clearRetry();
    this.nextRetryAt = Date.now() + delay;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
    this.notifyState(); // nextRetryAt changed
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = null;
    this.welcomed = false;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close();
    }
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    this.livenessTimer = null;
    for (const timer of this.resendTimers.values()) clearTimeout(timer);
    this.resendTimers.clear();
  }

  // Pings when quiet; a socket that heard nothing for two heartbeats is dead.
  private startLiveness(): void {
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    const period = Math.max(1000, Math.floor(this.heartbeatMs / 3));
    const socket = this.socket;
    this.livenessTimer = setInterval(() => {
      if (socket !== this.socket) return; // a timer of a socket already dropped
      const quiet = Date.now() - this.lastHeard;
      if (quiet > 2 * this.heartbeatMs) {
        this.socket?.close(4000, "no answer");
        this.lost();
      } else if (quiet >= period) {
        this.send({ type: "ping" });
      }
    }, period);
  }

  private onOnline = (): void => {
    if (!this.socket && !this.stopped) {
      this.failedAttempts = 0;
      this.retryNow();
    }
  };

  private onOffline = (): void => {
    if (!this.socket) this.setState("offline");
  };

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.nextRetryAt = null;
  }

  private setState(state: ConnectionState): void {
    if (state === this.state_) return;
    this.state_ = state;
    this.notifyState();
  }

  private notifyState(): void {
    for (const listener of this.stateListeners) listener(this.state_);
  }

  // ------------------------------------------------------------ effects

  private run(doc: string, body: (sync: DocumentSync, out: Effects) => void): void {
    const sync = this.docs.get(doc);
    if (!sync) return;
    const out = newEffects();
    body(sync, out);
    for (const message of out.send) this.send(message);
    if (out.resendAfterMs !== undefined) this.scheduleResend(sync, out.resendAfterMs);
    const listeners = this.docListeners.get(doc);
    for (const event of out.events) for (const listener of listeners ?? []) listener(event, sync);
  }

  private scheduleResend(sync: DocumentSync, delayMs: number): void {
    const old = this.resendTimers.get(sync.doc);
    if (old) clearTimeout(old);
    this.resendTimers.set(
      sync.doc,
      setTimeout(() => {
        this.resendTimers.delete(sync.doc);
        this.run(sync.doc, (s, out) => s.resendDue(out));
      }, delayMs),
    );
  }

  private send(message: ClientMessage): void {
    if (this.welcomed) this.sendRaw(message);
  }

  private sendRaw(message: ClientMessage): void {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }
}
