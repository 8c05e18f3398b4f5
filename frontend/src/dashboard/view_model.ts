// A snapshot as the page shows it: the totals, the documents table's rows, the node. Pure
// (strings and numbers); the DOM is pages/dashboard_page.ts.
import type { DashboardSession, DashboardSnapshot } from "../net/dashboard_protocol.js";
import { formatCount, formatDuration, formatRate, plural } from "./format.js";

export interface TotalView {
  key: "documents" | "sessions" | "ops" | "restarts";
  label: string;
  value: string;
  note: string;
}

export function totalsView(s: DashboardSnapshot, locale?: string): TotalView[] {
  const t = s.totals;
  const shown = s.documents_total ?? s.documents.length;
  return [
    { key: "documents", label: "Open documents", value: formatCount(t.documents, locale), note: shown > s.documents.length ? `${formatCount(s.documents.length, locale)} shown` : "" },
    { key: "sessions", label: "Sessions", value: formatCount(t.sessions, locale), note: "connected now" },
    { key: "ops", label: "Ops per second", value: formatRate(t.ops_per_second, locale), note: `${formatCount(t.ops_total, locale)} in total` },
    { key: "restarts", label: "Process restarts", value: formatCount(t.restarts_total, locale), note: "since the server started" },
  ];
}

export interface SessionView {
  key: string;
  name: string;
  color: string;
}

export interface DocumentRow {
  id: string;
  href: string;
  pid: string;
  revision: string;
  length: string;
  opsPerSecond: number;
  ops: string;
  restarts: number;
  sessions: SessionView[];
  sessionsLabel: string; // "Ann, Bo" or "nobody"
}

const HEX_COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const FALLBACK_COLORS = ["#37474f", "#1565c0", "#2e7d32", "#6a1b9a", "#bf360c", "#00695c"];

/** A colour safe to put in a style (the server relays what clients said), else a stable grey-ish one. */
export function sessionColor(session: DashboardSession): string {
  if (session.color && HEX_COLOR.test(session.color)) return session.color;
  let hash = 0;
  for (const c of session.session) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
  return FALLBACK_COLORS[hash % FALLBACK_COLORS.length]!;
}

export function sessionName(session: DashboardSession): string {
  return session.name?.trim() || session.client_id || "Anonymous";
}

/** The rows in a stable order, by id (the server sends the most active first; a table that
 * re-sorted itself with every keystroke somewhere would be hard to read and to tab through). */
export function documentRows(s: DashboardSnapshot, locale?: string): DocumentRow[] {
  const byId = [...s.documents].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return byId.map((d) => {
    const sessions = d.sessions.map((session) => ({ key: session.session, name: sessionName(session), color: sessionColor(session) }));
    return {
      id: d.id,
      href: `/d/${encodeURIComponent(d.id)}`,
      pid: d.pid,
      revision: formatCount(d.revision, locale),
      length: formatCount(d.length, locale),
      opsPerSecond: d.ops_per_second,
      ops: formatRate(d.ops_per_second, locale),
      restarts: d.restarts,
      sessions,
      sessionsLabel: sessions.length ? sessions.map((x) => x.name).join(", ") : "nobody",
    };
  });
}

/** "3 open documents", or "200 most active of 350 open documents". */
export function documentsCaption(s: DashboardSnapshot, locale?: string): string {
  const total = s.documents_total ?? s.documents.length;
  if (total === 0) return "No open documents";
  const all = plural(total, "open document", "open documents", locale);
  return total > s.documents.length ? `${formatCount(s.documents.length, locale)} most active of ${all}` : all;
}

export interface NodeView {
  name: string;
  facts: string[]; // "version 0.1.0", "up 5 min", "2 runtime threads"
  peers: { name: string; status: string; self: boolean; documents: string }[];
}

export function nodeView(s: DashboardSnapshot, locale?: string): NodeView {
  const node = s.node;
  const facts: string[] = [];
  if (node?.version) facts.push(`version ${node.version}`);
  if (node?.started_ms !== undefined) facts.push(`up ${formatDuration(s.time_ms - node.started_ms)}`);
  if (node?.runtime_threads !== undefined) facts.push(plural(node.runtime_threads, "runtime thread", "runtime threads", locale));
  return {
    name: node?.name ?? s.nodes?.find((n) => n.self)?.name ?? "this node",
    facts,
    peers: (s.nodes ?? []).map((n) => ({
      name: n.name,
      status: n.status,
      self: n.self === true,
      documents: n.documents === undefined ? "" : plural(n.documents, "document", "documents", locale),
    })),
  };
}
