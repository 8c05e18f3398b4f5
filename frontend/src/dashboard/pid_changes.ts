// Which processes got a new pid since the last snapshot: a restarted document process. The
// page flashes those nodes and rows.
//
// Contract
// - observe(snapshot) returns the keys whose pid differs from the one seen for that key in
//   an earlier snapshot: tree keys (tree.ts) and "doc:<id>" for the documents table.
// - A key seen for the first time is not a change (a newly opened document is not a
//   restart); a key missing from a snapshot is forgotten (a document closed and opened
//   again later starts afresh).
import type { DashboardSnapshot, TreeNode } from "../net/dashboard_protocol.js";
import { childKey } from "./tree.js";

export const docKey = (id: string): string => `doc:${id}`;

export function currentPids(snapshot: Pick<DashboardSnapshot, "documents" | "tree">): Map<string, string> {
  const pids = new Map<string, string>();
  for (const doc of snapshot.documents) pids.set(docKey(doc.id), doc.pid);
  const walk = (node: TreeNode, key: string): void => {
    if (node.pid !== undefined) pids.set(key, node.pid);
    for (const child of node.children ?? []) walk(child, childKey(key, child));
  };
  if (snapshot.tree) walk(snapshot.tree, snapshot.tree.name);
  return pids;
}

export class PidChanges {
  private last = new Map<string, string>();

  observe(snapshot: Pick<DashboardSnapshot, "documents" | "tree">): Set<string> {
    const now = currentPids(snapshot);
    const changed = new Set<string>();
    for (const [key, pid] of now) {
      const before = this.last.get(key);
      if (before !== undefined && before !== pid) changed.add(key);
    }
    this.last = now;
    return changed;
  }
}
