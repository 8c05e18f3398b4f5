// The wire protocol, version 1 (docs/protocol.md): the messages the web client sends and
// receives over the one WebSocket at /ws. Positions count code points; ops are the wire form.
import type { Component } from "../ot/index.js";
import type { CrashRequest, Crashed, DashboardSnapshot, DashboardSubscribe, DashboardUnsubscribe } from "./dashboard_protocol.js";

export const PROTOCOL_VERSION = 1;

export type RequestId = number | string;

// ---- client → server
export interface Hello {
  type: "hello";
  version: number;
  client_id: string;
  name?: string;
  color?: string;
  token?: string;
}
export interface OpenMessage {
  type: "open";
  id: RequestId;
  doc: string;
  revision?: number; // resume from here
  create?: boolean;
}
export interface CloseMessage {
  type: "close";
  doc: string;
}
export interface OpMessage {
  type: "op";
  doc: string;
  rev: number;
  seq: number;
  op: Component[];
}
export interface PresenceMessage {
  type: "presence";
  doc: string;
  rev: number;
  anchor: number | null;
  head?: number;
}
export interface Ping {
  type: "ping";
}
export type ClientMessage =
  | Hello
  | OpenMessage
  | CloseMessage
  | OpMessage
  | PresenceMessage
  | Ping
  | DashboardSubscribe
  | DashboardUnsubscribe
  | CrashRequest;

// ---- server → client
export interface Welcome {
  type: "welcome";
  version: number;
  session: string;
  client_id: string;
  server: string;
  heartbeat_ms: number;
  limits?: Record<string, number>;
}
export interface OpsEntry {
  rev: number;
  client_id: string;
  op?: Component[];
  seq?: number;
  duplicate?: boolean;
}
export interface PeerPresence {
  session: string;
  client_id: string;
  name?: string;
  color?: string;
  anchor: number | null;
  head?: number;
}
export interface Opened {
  type: "opened";
  id?: RequestId;
  doc: string;
  revision: number;
  text?: string;
  ops?: OpsEntry[];
  presence?: PeerPresence[];
}
export interface Closed {
  type: "closed";
  doc: string;
}
export interface OpsMessage {
  type: "ops";
  doc: string;
  ops: OpsEntry[];
}
export interface PresenceBroadcast {
  type: "presence";
  doc: string;
  session: string;
  client_id?: string;
  name?: string;
  color?: string;
  anchor?: number | null;
  head?: number;
  left?: boolean;
}
export interface Pong {
  type: "pong";
}
export interface ErrorMessage {
  type: "error";
  id?: RequestId;
  code: string;
  message: string;
  doc?: string;
  seq?: number;
}
export type ServerMessage =
  | Welcome
  | Opened
  | Closed
  | OpsMessage
  | PresenceBroadcast
  | Pong
  | ErrorMessage
  | DashboardSnapshot
  | Crashed;

/** The message in a text frame, or null if it is not a JSON object with a string "type". */
export function parseServerMessage(frame: string): ServerMessage | null {
  try {
    const value: unknown = JSON.parse(frame);
    if (value === null || typeof value !== "object" || typeof (value as { type?: unknown }).type !== "string") {
      return null;
    }
    return value as ServerMessage;
  } catch {
    return null;
  }
}
