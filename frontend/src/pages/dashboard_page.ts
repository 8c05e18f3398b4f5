// The live dashboard (/dashboard): the server pushes a complete snapshot whenever something
// changed (docs/dashboard.md) and the page draws it; it never polls. Totals, the documents
// table, the supervision tree, the events feed, the node; "Crash" buttons for admins.
//
// Contract
// - After every welcome (the first connect and each reconnect) the page subscribes again;
//   snapshots are complete, so there is nothing else to resynchronise.
// - While the connection is down the last snapshot stays on screen, dimmed, and the status
//   says when the next attempt is due.
// - An admin token comes from the URL fragment (/dashboard#token=…): kept for this tab in
//   sessionStorage and removed from the address bar; dev mode needs none.
import { describeEvent, newEvents } from "../dashboard/events.js";
import { clockTime } from "../dashboard/format.js";
import { docKey, PidChanges } from "../dashboard/pid_changes.js";
import { RateHistory } from "../dashboard/sparkline.js";
import { documentRows, documentsCaption, nodeView, totalsView, type TotalView } from "../dashboard/view_model.js";
import { Connection } from "../net/connection.js";
import type { DashboardEvent, DashboardSnapshot } from "../net/dashboard_protocol.js";
import type { RequestId, ServerMessage } from "../net/protocol.js";
import { connectionLabel } from "./connection_status.js";
import { DocumentsTableView } from "./dashboard_documents_view.js";
import { SupervisionTreeView } from "./dashboard_tree_view.js";
import { h, setText, topbar } from "./dom.js";
import { loadMe } from "./identity.js";

export const SNAPSHOT_INTERVAL_MS = 250;
export const MAX_DOCUMENTS = 200;
const MAX_EVENTS_SHOWN = 50;

export interface DashboardPageHandle {
  connection: Connection;
  /** For tests and the curious: what the page holds now. */
  state(): { connection: string; seq: number; admin: boolean; snapshots: number; documents: string[] };
}

function adminToken(): string | undefined {
  const match = /(?:^#|&)token=([^&]*)/.exec(location.hash);
  try {
    if (match) {
      sessionStorage.setItem("otter.admin_token", decodeURIComponent(match[1]!));
      history.replaceState(null, "", location.pathname + location.search);
    }
    return sessionStorage.getItem("otter.admin_token") ?? undefined;
  } catch {
    return match ? decodeURIComponent(match[1]!) : undefined;
  }
}

/**
 * The events feed: new events are added at the top, as a polite live log. The first
 * snapshot's backlog is filled in silently (a screen reader would read out fifty events);
 * after that each new event is announced. Focusable, so it scrolls from the keyboard.
 */
class EventsFeedView {
  readonly element = h("ol", { class: "events", role: "log", "aria-live": "off", "aria-label": "Events, newest first", tabindex: "0" });
  private previous: DashboardEvent[] = [];
  private renders = 0;

  render(events: readonly DashboardEvent[]): void {
    if (this.renders++ === 1) this.element.setAttribute("aria-live", "polite"); // the backlog is in
    const fresh = newEvents(this.previous, events);
    this.previous = events.slice();
    for (const event of fresh) {
      const view = describeEvent(event);
      const time = h("time", { datetime: new Date(event.time_ms).toISOString() }, clockTime(event.time_ms));
      const item = h("li", { "data-kind": view.kind, class: `tone-${view.tone}` }, time, h("span", {}, view.text));
      if (event.doc !== undefined) item.dataset["doc"] = event.doc;
      this.element.prepend(item);
    }
    while (this.element.children.length > MAX_EVENTS_SHOWN) this.element.lastElementChild!.remove();
  }
}

function totalCard(total: TotalView): { card: HTMLElement; value: HTMLElement; note: HTMLElement } {
  const value = h("span", { class: "stat-value" });
  const note = h("span", { class: "stat-note" });
  const card = h("div", { class: "stat", "data-total": total.key }, h("span", { class: "stat-label" }, total.label), value, note);
  return { card, value, note };
}

export function renderDashboardPage(root: HTMLElement): DashboardPageHandle {
  document.title = "Dashboard — Otter";
  const me = loadMe();
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const token = adminToken();
  const connection = new Connection({ url: `${scheme}//${location.host}/ws`, ...me, name: `${me.name} (dashboard)`, ...(token ? { token } : {}) });

  // ---- the frame
  const statusText = h("span", { class: "status-text" }, "Connecting…");
  const retry = h("button", { type: "button", onclick: () => connection.retryNow() }, "Retry now");
  retry.hidden = true;
  const status = h("div", { class: "status", role: "status", "aria-live": "polite", "data-state": "connecting" }, statusText, retry);
  const notice = h("div", { class: "notice", role: "status", "aria-live": "polite" });
  notice.hidden = true;
  const updated = h("p", { class: "doc-meta updated" }, "Waiting for the first snapshot…");

  const totals = new Map<TotalView["key"], ReturnType<typeof totalCard>>();
  const totalsSection = h("section", { class: "totals", "aria-label": "Totals" });
  const caption = h("p", { class: "doc-meta", id: "documents-caption" });
  const adminHint = h("p", { class: "doc-meta admin-hint" }, "Crash buttons appear in dev mode (otterd --dev) or with an admin token (/dashboard#token=…).");
  adminHint.hidden = true;
  const noDocuments = h("p", { class: "empty" }, "No document is open. Open one from the start page and it appears here.");
  const table = new DocumentsTableView((doc) => crash(doc));
  table.element.setAttribute("aria-describedby", "documents-caption");
  const tableScroll = h("div", { class: "table-scroll" }, table.element);
  const tree = new SupervisionTreeView();
  const events = new EventsFeedView();
  const nodeName = h("p", { class: "node-name" });
  const nodeFacts = h("ul", { class: "node-facts" });
  const nodeList = h("ul", { class: "node-list", "aria-label": "Nodes" });
  const main = h(
    "main",
    { id: "main", class: "dash-main", "data-live": "false" },
    h("div", { class: "dash-head" }, h("h1", {}, "Live dashboard"), updated),
    notice,
    totalsSection,
    h(
      "section",
      { class: "card dash-documents", "aria-labelledby": "documents-heading" },
      h("h2", { id: "documents-heading" }, "Documents"),
      caption,
      noDocuments,
      tableScroll,
      adminHint,
    ),
    h(
      "div",
      { class: "dash-columns" },
      h("section", { class: "card", "aria-labelledby": "tree-heading" }, h("h2", { id: "tree-heading" }, "Supervision tree"), tree.element),
      h("section", { class: "card", "aria-labelledby": "events-heading" }, h("h2", { id: "events-heading" }, "Events"), events.element),
      h("section", { class: "card", "aria-labelledby": "node-heading" }, h("h2", { id: "node-heading" }, "Node"), nodeName, nodeFacts, nodeList),
    ),
  );
  root.replaceChildren(topbar(h("span", { class: "spacer" }), h("a", { href: "/" }, "Documents"), status), main);

  // ---- state
  const pidChanges = new PidChanges();
  const rates = new RateHistory();
  let last: DashboardSnapshot | null = null;
  let snapshots = 0;
  let nextId = 1;
  let subscribeId: RequestId | null = null;
  const crashes = new Map<RequestId, string>(); // request id → document

  const showNotice = (text: string, bad = false): void => {
    notice.textContent = text;
    notice.classList.toggle("bad", bad);
    notice.hidden = false;
  };

  function render(s: DashboardSnapshot): void {
    last = s;
    snapshots++;
    const changed = pidChanges.observe(s);
    rates.record(s.time_ms, s.documents.map((d) => [d.id, d.ops_per_second] as const));

    for (const total of totalsView(s)) {
      let card = totals.get(total.key);
      if (!card) {
        card = totalCard(total);
        totals.set(total.key, card);
        totalsSection.append(card.card);
      }
      setText(card.value, total.value);
      setText(card.note, total.note);
    }

    const rows = documentRows(s);
    setText(caption, documentsCaption(s));
    noDocuments.hidden = rows.length > 0;
    tableScroll.hidden = rows.length === 0;
    adminHint.hidden = s.admin;
    const changedDocs = new Set(rows.filter((r) => changed.has(docKey(r.id))).map((r) => r.id));
    table.render(rows, s.admin, changedDocs, rates, s.time_ms);
    tree.render(s.tree, changed);
    events.render(s.events ?? []);

    const node = nodeView(s);
    setText(nodeName, node.name);
    nodeFacts.replaceChildren(...node.facts.map((fact) => h("li", {}, fact)));
    nodeList.replaceChildren(
      ...node.peers.map((peer) =>
        h(
          "li",
          { "data-status": peer.status },
          h("span", { class: "node-status" }, peer.status),
          ` ${peer.name}${peer.self ? " (this node)" : ""}${peer.documents ? ` · ${peer.documents}` : ""}`,
        ),
      ),
    );
    setText(updated, `Updated ${clockTime(s.time_ms)} · snapshot ${s.seq}`);
    main.dataset["live"] = "true";
    main.dataset["seq"] = String(s.seq);
  }

  function crash(doc: string): void {
    const id = nextId++;
    if (!connection.sendMessage({ type: "crash", id, doc })) {
      showNotice(`Not connected: could not crash ${doc}.`, true);
      return;
    }
    crashes.set(id, doc);
    table.setCrashing(doc, true);
  }

  function onMessage(message: ServerMessage): void {
    if (message.type === "dashboard") {
      render(message);
      return;
    }
    if (message.type === "crashed") {
      const doc = (message.id !== undefined && crashes.get(message.id)) || message.doc;
      if (message.id !== undefined) crashes.delete(message.id);
      table.setCrashing(doc, false);
      showNotice(`Crashed ${message.doc}${message.pid ? ` (${message.pid})` : ""}: watch its supervisor restart it.`);
      return;
    }
    if (message.type === "error" && message.id !== undefined) {
      const doc = crashes.get(message.id);
      if (doc !== undefined) {
        crashes.delete(message.id);
        table.setCrashing(doc, false);
        const why = message.code === "forbidden" ? "only an admin may crash documents" : message.message;
        showNotice(`Could not crash ${doc}: ${why}.`, true);
      } else if (message.id === subscribeId) {
        showNotice(`The server did not start the dashboard: ${message.message} (${message.code}).`, true);
      }
    }
  }

  connection.onWelcome(() => {
    crashes.clear(); // answers to a lost connection's requests never come
    table.clearCrashing();
    subscribeId = nextId++;
    connection.sendMessage({ type: "dashboard_subscribe", id: subscribeId, interval_ms: SNAPSHOT_INTERVAL_MS, max_documents: MAX_DOCUMENTS });
  });
  connection.onMessage(onMessage);

  function renderStatus(): void {
    const state = connection.state;
    setText(statusText, connectionLabel(state, connection.nextRetryAt, Date.now()));
    status.dataset["state"] = state;
    retry.hidden = state === "connected" || state === "connecting";
    main.classList.toggle("stale", state !== "connected" && last !== null);
  }
  connection.onState(renderStatus);
  // Only the retry countdown ticks locally; what the dashboard shows comes from the server.
  setInterval(() => {
    if (connection.state !== "connected") renderStatus();
  }, 1000);
  renderStatus();
  connection.start();

  return {
    connection,
    state: () => ({
      connection: connection.state,
      seq: last?.seq ?? 0,
      admin: last?.admin ?? false,
      snapshots,
      documents: last?.documents.map((d) => d.id) ?? [],
    }),
  };
}
