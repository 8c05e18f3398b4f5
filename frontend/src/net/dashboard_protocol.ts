// The live dashboard's messages (docs/dashboard.md), on the same /ws as the editor after
// `hello`: subscribe, the complete snapshots the server pushes, and the admin-only crash.
// Field names are the wire's; every snapshot is complete, so a page keeps no diff state.
import type { RequestId } from "./protocol.js";

// ---- client → server
export interface DashboardSubscribe {
  type: "dashboard_subscribe";
  id: RequestId;
  interval_ms?: number; // 100–5000, default 250
  max_documents?: number;
}
export interface DashboardUnsubscribe {
  type: "dashboard_unsubscribe";
}
export interface CrashRequest {
  type: "crash";
  id: RequestId;
  doc: string;
}

// ---- server → client
export interface DashboardNode {
  name: string;
  version?: string;
  started_ms?: number;
  runtime_threads?: number;
}
export interface ClusterNode {
  name: string;
  self?: boolean;
  status: string; // "up", …
  documents?: number;
}
export interface DashboardTotals {
  documents: number;
  sessions: number;
  ops_per_second: number;
  ops_total: number;
  restarts_total: number;
}
export interface DashboardSession {
  session: string;
  client_id?: string;
  name?: string;
  color?: string;
}
export interface DashboardDocument {
  id: string;
  pid: string;
  revision: number;
  length: number;
  ops_per_second: number;
  restarts: number;
  last_restart_ms?: number;
  opened_ms?: number;
  sessions: DashboardSession[];
}
export interface TreeNode {
  name: string;
  kind: string; // "supervisor", "dynamic_supervisor", "worker", …
  pid?: string;
  strategy?: string;
  restarts?: number;
  doc?: string;
  started_ms?: number;
  child_count?: number; // instead of children (the sessions supervisor)
  children?: TreeNode[];
}
export type DashboardEventKind = "opened" | "closed" | "crashed" | "restarted" | "restart_intensity_exceeded";
export interface DashboardEvent {
  time_ms: number;
  kind: DashboardEventKind | string;
  doc?: string;
  pid?: string;
  old_pid?: string;
  new_pid?: string;
  reason?: string;
}
export interface DashboardSnapshot {
  type: "dashboard";
  id?: RequestId;
  seq: number;
  time_ms: number;
  admin: boolean;
  node?: DashboardNode;
  nodes?: ClusterNode[];
  totals: DashboardTotals;
  documents: DashboardDocument[];
  documents_total?: number;
  tree?: TreeNode;
  events?: DashboardEvent[];
}
export interface Crashed {
  type: "crashed";
  id?: RequestId;
  doc: string;
  pid?: string;
}
