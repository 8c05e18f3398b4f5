// Dashboard snapshots for the unit tests, shaped like docs/dashboard.md's example.
import type { DashboardDocument, DashboardSnapshot, TreeNode } from "../../src/net/dashboard_protocol.js";

export function doc(id: string, pid: string, extra: Partial<DashboardDocument> = {}): DashboardDocument {
  return { id, pid, revision: 0, length: 0, ops_per_second: 0, restarts: 0, sessions: [], ...extra };
}

export function tree(docs: readonly DashboardDocument[], sessions = 0): TreeNode {
  return {
    name: "otter.server",
    kind: "supervisor",
    strategy: "rest_for_one",
    pid: "<0.1>",
    restarts: 0,
    children: [
      {
        name: "documents",
        kind: "dynamic_supervisor",
        pid: "<0.2>",
        restarts: docs.reduce((n, d) => n + d.restarts, 0),
        children: docs.map((d) => ({ name: d.id, kind: "worker", pid: d.pid, doc: d.id, restarts: d.restarts })),
      },
      { name: "sessions", kind: "dynamic_supervisor", pid: "<0.3>", restarts: 0, child_count: sessions },
    ],
  };
}

export function snapshot(docs: DashboardDocument[], extra: Partial<DashboardSnapshot> = {}): DashboardSnapshot {
  const sessions = docs.reduce((n, d) => n + d.sessions.length, 0);
  return {
    type: "dashboard",
    seq: 1,
    time_ms: 1_795_258_514_374,
    admin: true,
    node: { name: "otterd@127.0.0.1:8080", version: "0.1.0", started_ms: 1_795_258_514_374 - 3_723_000, runtime_threads: 2 },
    nodes: [{ name: "otterd@127.0.0.1:8080", self: true, status: "up", documents: docs.length }],
    totals: {
      documents: docs.length,
      sessions,
      ops_per_second: docs.reduce((n, d) => n + d.ops_per_second, 0),
      ops_total: 1234,
      restarts_total: docs.reduce((n, d) => n + d.restarts, 0),
    },
    documents: docs,
    documents_total: docs.length,
    tree: tree(docs, sessions),
    events: [],
    ...extra,
  };
}
