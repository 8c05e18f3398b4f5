// Browser tests of the live dashboard page (/dashboard) against a scripted server: playwright
// stands in for /ws and serves dist/, so the test decides every message. What the page draws
// from pushed snapshots — totals, rows, people, the tree and its keyboard, the events log,
// crash buttons only for admins, a flash on a new pid — and that it subscribes again after a
// reconnect. The same page against a real otterd: dashboard.test.mjs.
// Screenshots go to frontend/test-artifacts/.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { after, before, describe, test } from "node:test";

import { frontendDir, launchChromium, newPage, screenshot, until } from "./support.mjs";

// ------------------------------------------------------------------ a scripted server

const ORIGIN = "http://otter.test";
const CONTENT_TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".map": "application/json" };
const WELCOME = { type: "welcome", version: 1, session: "s-dash", client_id: "c", server: "scripted", heartbeat_ms: 15000 };

/** A dashboard page whose static files come from dist/ and whose /ws is this script. */
async function scriptedDashboard(browser, fragment = "") {
  const page = await newPage(browser);
  await page.route(`${ORIGIN}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    const file = path === "/dashboard" ? "index.html" : path.slice(1);
    try {
      const body = await readFile(join(frontendDir, "dist", file));
      await route.fulfill({ body, contentType: CONTENT_TYPES[extname(file)] ?? "application/octet-stream" });
    } catch {
      await route.fulfill({ status: 404, body: "not found" });
    }
  });
  const sockets = [];
  await page.routeWebSocket(`ws://otter.test/ws`, (ws) => {
    const socket = { ws, received: [], send: (message) => ws.send(JSON.stringify(message)) };
    sockets.push(socket);
    ws.onMessage((frame) => {
      const message = JSON.parse(frame);
      socket.received.push(message);
      if (message.type === "hello") socket.send(WELCOME);
    });
  });
  await page.goto(`${ORIGIN}/dashboard${fragment}`);
  return { page, sockets, latest: () => sockets[sockets.length - 1] };
}

/** Waits until `socket` got a message of `type`; returns it. */
const received = (socket, type) => until(`a ${type} message`, () => socket.received.find((m) => m.type === type));

const worker = (d) => ({ name: d.id, kind: "worker", pid: d.pid, doc: d.id, restarts: d.restarts });

function snapshot(seq, { admin, docs, events }) {
  const sessions = docs.reduce((n, d) => n + d.sessions.length, 0);
  return {
    type: "dashboard",
    seq,
    time_ms: Date.UTC(2026, 10, 21, 14, 0, seq),
    admin,
    node: { name: "otterd@127.0.0.1:8080", version: "0.1.0", started_ms: Date.UTC(2026, 10, 21, 13, 0, 0), runtime_threads: 2 },
    nodes: [{ name: "otterd@127.0.0.1:8080", self: true, status: "up", documents: docs.length }],
    totals: { documents: docs.length, sessions, ops_per_second: 41.5, ops_total: 1234, restarts_total: docs.reduce((n, d) => n + d.restarts, 0) },
    documents: docs,
    documents_total: docs.length,
    tree: {
      name: "otter.server",
      kind: "supervisor",
      strategy: "rest_for_one",
      pid: "<0.1>",
      restarts: 0,
      children: [
        { name: "documents", kind: "dynamic_supervisor", pid: "<0.2>", restarts: 0, children: docs.map(worker) },
        { name: "sessions", kind: "dynamic_supervisor", pid: "<0.3>", restarts: 0, child_count: sessions },
      ],
    },
    events,
  };
}

const notes = (pid, restarts) => ({
  id: "notes",
  pid,
  revision: 57,
  length: 1024,
  ops_per_second: 3.5,
  restarts,
  sessions: [
    { session: "s-1", client_id: "web-1", name: "Ann", color: "#c2185b" },
    { session: "s-2", client_id: "web-2", name: "Bo", color: "#1565c0" },
  ],
});
const todo = { id: "todo", pid: "<0.43>", revision: 3, length: 12, ops_per_second: 38, restarts: 0, sessions: [] };
const openedEvents = [
  { time_ms: Date.UTC(2026, 10, 21, 13, 59, 0), kind: "opened", doc: "notes", pid: "<0.40>" },
  { time_ms: Date.UTC(2026, 10, 21, 13, 59, 1), kind: "opened", doc: "todo", pid: "<0.43>" },
];
const restartEvents = [
  ...openedEvents,
  { time_ms: Date.UTC(2026, 10, 21, 14, 0, 1), kind: "crashed", doc: "notes", pid: "<0.40>", reason: "crashed from the dashboard" },
  { time_ms: Date.UTC(2026, 10, 21, 14, 0, 1), kind: "restarted", doc: "notes", old_pid: "<0.40>", new_pid: "<0.44>", reason: "crashed from the dashboard" },
];

const focusedKey = (page) => page.evaluate(() => document.activeElement?.dataset.key ?? document.activeElement?.tagName);

describe("the dashboard page against a scripted server", () => {
  let browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });

  test("draws pushed snapshots: totals, documents, people, the tree, events; crash buttons only for admins", async () => {
    const { page, latest } = await scriptedDashboard(browser);
    const subscribe = await received(latest(), "dashboard_subscribe");
    assert.equal(subscribe.interval_ms, 250);

    latest().send({ ...snapshot(1, { admin: false, docs: [notes("<0.40>", 0), todo], events: openedEvents }), id: subscribe.id });
    await page.locator('tr[data-doc="notes"]').waitFor();
    const total = (key) => page.locator(`[data-total="${key}"] .stat-value`).textContent();
    assert.deepEqual(await Promise.all(["documents", "sessions", "ops", "restarts"].map(total)), ["2", "2", "42", "0"]);
    const row = page.locator('tr[data-doc="notes"]');
    assert.equal(await row.getByRole("link", { name: "notes" }).getAttribute("href"), "/d/notes");
    assert.equal(await row.getByRole("list", { name: "2 people: Ann, Bo" }).count(), 1);
    assert.equal(await row.locator('[data-field="pid"]').textContent(), "<0.40>");
    assert.deepEqual(await page.locator("tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.doc)), ["notes", "todo"]);
    assert.equal(await page.getByRole("button", { name: /^Crash/ }).count(), 0, "no crash buttons without admin");
    await page.getByText("Crash buttons appear in dev mode").waitFor();

    // The tree: document processes under their supervisor.
    const tree = page.getByRole("tree", { name: "Supervision tree" });
    assert.equal(await tree.getByRole("treeitem").count(), 5);
    const documents = tree.locator('[data-key="otter.server/documents"]');
    assert.equal(await documents.locator(':scope > [role="group"] > [role="treeitem"]').evaluateAll((items) => items.map((i) => i.dataset.doc).join()), "notes,todo");
    assert.equal(await tree.getByRole("treeitem", { name: /^sessions/ }).textContent().then((t) => t.includes("2 children")), true);

    // The events log, newest first.
    const log = page.getByRole("log");
    assert.equal(await log.getAttribute("aria-live"), "off", "the first snapshot's backlog is not read out");
    assert.deepEqual(await log.locator("li").evaluateAll((items) => items.map((i) => i.dataset.doc)), ["todo", "notes"]);

    // The tree from the keyboard: one tab stop, arrows move, Left collapses, Right expands.
    assert.equal(await tree.locator('[role="treeitem"][tabindex="0"]').count(), 1);
    await tree.locator('[data-key="otter.server"]').focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    assert.equal(await focusedKey(page), "otter.server/documents/notes");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await focusedKey(page), "otter.server/documents");
    await page.keyboard.press("ArrowLeft");
    assert.equal(await documents.getAttribute("aria-expanded"), "false");
    assert.equal(await tree.getByRole("treeitem").count(), 3, "the collapsed node's children are hidden");
    await page.keyboard.press("End");
    assert.equal(await focusedKey(page), "otter.server/sessions");
    await page.keyboard.press("Home");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowRight");
    assert.equal(await documents.getAttribute("aria-expanded"), "true");
    assert.equal(await tree.locator('[role="treeitem"][tabindex="0"]').getAttribute("data-key"), "otter.server/documents");

    // An admin snapshot after a restart: notes has a new pid, its row and node flash, crash buttons appear.
    latest().send(snapshot(2, { admin: true, docs: [notes("<0.44>", 1), todo], events: restartEvents }));
    await page.locator('tr[data-doc="notes"][data-pid="<0.44>"]').waitFor();
    assert.equal(await row.locator('[data-field="restarts"]').textContent(), "1");
    assert.match(await row.getAttribute("class"), /flash/);
    assert.match(await tree.locator('[data-doc="notes"] > .tree-row').getAttribute("class"), /flash/);
    assert.doesNotMatch((await page.locator('tr[data-doc="todo"]').getAttribute("class")) ?? "", /flash/);
    assert.equal(await total("restarts"), "1");
    assert.deepEqual(await log.locator("li").evaluateAll((items) => items.map((i) => i.dataset.kind)), ["restarted", "crashed", "opened", "opened"]);
    assert.equal(await log.getAttribute("aria-live"), "polite", "later events are announced");
    assert.match(await log.locator("li").first().textContent(), /notes restarted by its supervisor: <0.40> → <0.44>/);
    assert.equal(await documents.getAttribute("aria-expanded"), "true", "a new snapshot keeps what was expanded");
    await screenshot(page, "dashboard-scripted");

    // Crash from the dashboard, by keyboard: from the row's link, Tab reaches its Crash
    // button, Enter presses it. Then the request, the waiting button, the answer.
    await page.getByRole("link", { name: "todo" }).focus();
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Crash todo");
    await page.keyboard.press("Enter");
    const crash = await received(latest(), "crash");
    assert.equal(crash.doc, "todo");
    const crashButton = page.getByRole("button", { name: "Crash todo" });
    assert.equal(await crashButton.getAttribute("aria-disabled"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Crash todo", "focus stays on the button");
    await page.keyboard.press("Enter"); // pressed again while waiting: no second request
    latest().send({ type: "crashed", id: crash.id, doc: "todo", pid: "<0.43>" });
    await page.getByText("Crashed todo (<0.43>)").waitFor();
    assert.equal(await crashButton.getAttribute("aria-disabled"), "false");
    assert.equal(latest().received.filter((m) => m.type === "crash").length, 1);
    await page.getByRole("button", { name: "Crash notes" }).click();
    const refused = (await until("a second crash", () => latest().received.filter((m) => m.type === "crash")[1]));
    latest().send({ type: "error", id: refused.id, code: "forbidden", message: "not an admin connection" });
    await page.getByText("Could not crash notes: only an admin may crash documents.").waitFor();

    // A phone in the dark: each document becomes a card, its crash button still there.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: "dark" });
    assert.equal(await page.locator("thead").isVisible(), false);
    assert.equal(await page.getByRole("button", { name: "Crash notes" }).isVisible(), true);
    await screenshot(page, "dashboard-scripted-phone-dark");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("an admin token in the address's fragment goes in hello and leaves the address bar", async () => {
    const { page, sockets, latest } = await scriptedDashboard(browser, "#token=s3cret%21");
    const hello = await received(latest(), "hello");
    assert.equal(hello.token, "s3cret!");
    assert.equal(new URL(page.url()).hash, "");
    // A reload in the same tab keeps it (sessionStorage); the address never shows it again.
    await page.reload();
    await until("the reloaded page's socket", () => sockets.length === 2);
    assert.equal((await received(latest(), "hello")).token, "s3cret!");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("keeps the last snapshot dimmed while disconnected and subscribes again after reconnecting", async () => {
    const { page, sockets, latest } = await scriptedDashboard(browser);
    const first = latest();
    const subscribe = await received(first, "dashboard_subscribe");
    first.send({ ...snapshot(1, { admin: true, docs: [todo], events: openedEvents.slice(1) }), id: subscribe.id });
    await page.locator('tr[data-doc="todo"]').waitFor();

    await first.ws.close({ code: 1012, reason: "restarting" });
    await page.getByRole("status").filter({ hasText: /Reconnecting|Offline/ }).waitFor();
    await page.locator("main.stale").waitFor();
    assert.equal(await page.locator('tr[data-doc="todo"]').count(), 1, "the last snapshot stays on screen");

    // The page reconnects by itself (after its backoff) and subscribes on the new socket.
    await until("a new socket", () => sockets.length === 2);
    const again = await received(latest(), "dashboard_subscribe");
    assert.notEqual(again.id, subscribe.id);
    const reopened = { time_ms: Date.UTC(2026, 10, 21, 14, 5, 0), kind: "opened", doc: "notes", pid: "<0.40>" };
    latest().send({ ...snapshot(1, { admin: true, docs: [todo, notes("<0.40>", 0)], events: [openedEvents[1], reopened] }), id: again.id });
    await page.locator('tr[data-doc="notes"]').waitFor();
    await page.getByRole("status").filter({ hasText: "Connected" }).waitFor();
    assert.equal(await page.locator("main.stale").count(), 0);
    // The events already shown are not shown twice.
    assert.deepEqual(await page.getByRole("log").locator("li").evaluateAll((items) => items.map((i) => i.dataset.doc)), ["notes", "todo"]);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
