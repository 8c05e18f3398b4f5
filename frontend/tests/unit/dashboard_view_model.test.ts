// The dashboard's snapshot → what the page shows: totals, rows, captions, the node, and the
// numbers and times in words.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { clockTime, formatCount, formatDuration, formatRate } from "../../src/dashboard/format.js";
import { documentRows, documentsCaption, nodeView, sessionColor, totalsView } from "../../src/dashboard/view_model.js";
import { connectionLabel } from "../../src/pages/connection_status.js";
import { doc, snapshot } from "./dashboard_fixtures.js";

describe("the dashboard's view of a snapshot", () => {
  test("totals read as large numbers with a note each", () => {
    const s = snapshot([doc("notes", "<0.42>", { ops_per_second: 3.5, restarts: 1 }), doc("todo", "<0.43>", { ops_per_second: 38 })]);
    s.totals.ops_total = 123456;
    const totals = totalsView(s, "en-US");
    assert.deepEqual(
      totals.map((t) => [t.key, t.value]),
      [
        ["documents", "2"],
        ["sessions", "0"],
        ["ops", "42"],
        ["restarts", "1"],
      ],
    );
    assert.equal(totals.find((t) => t.key === "ops")!.note, "123,456 in total");
    assert.equal(totals.find((t) => t.key === "documents")!.note, "", "all documents are shown");
  });

  test("says how many documents are shown when the server sent only the most active", () => {
    const s = snapshot([doc("a", "<0.5>"), doc("b", "<0.6>")], { documents_total: 350 });
    assert.equal(documentsCaption(s, "en-US"), "2 most active of 350 open documents");
    assert.equal(totalsView(s, "en-US")[0]!.note, "2 shown");
    assert.equal(documentsCaption(snapshot([doc("a", "<0.5>")]), "en-US"), "1 open document");
    assert.equal(documentsCaption(snapshot([]), "en-US"), "No open documents");
  });

  test("rows keep a stable order by id whatever the server's activity order", () => {
    const s = snapshot([doc("zeta", "<0.9>", { ops_per_second: 50 }), doc("alpha", "<0.7>"), doc("Beta", "<0.8>", { ops_per_second: 2 })]);
    assert.deepEqual(
      documentRows(s).map((r) => r.id),
      ["Beta", "alpha", "zeta"],
    );
  });

  test("a row links to the editor and lists who is there with their colours", () => {
    const s = snapshot([
      doc("notes v2", "<0.42>", {
        revision: 1234,
        length: 98765,
        ops_per_second: 0.25,
        restarts: 2,
        sessions: [
          { session: "s-1", client_id: "web-1", name: "Ann", color: "#c2185b" },
          { session: "s-2", client_id: "web-2", name: "  ", color: "red; background: url(x)" },
        ],
      }),
    ]);
    const [row] = documentRows(s, "en-US");
    assert.equal(row!.href, "/d/notes%20v2");
    assert.equal(row!.revision, "1,234");
    assert.equal(row!.length, "98,765");
    assert.equal(row!.ops, "0.3");
    assert.equal(row!.restarts, 2);
    assert.equal(row!.pid, "<0.42>");
    assert.deepEqual(row!.sessions[0], { key: "s-1", name: "Ann", color: "#c2185b" });
    assert.equal(row!.sessions[1]!.name, "web-2", "a blank name falls back to the client id");
    assert.match(row!.sessions[1]!.color, /^#[0-9a-f]{6}$/, "a colour that is not a hex colour is never put in a style");
    assert.equal(row!.sessionsLabel, "Ann, web-2");
    assert.equal(documentRows(snapshot([doc("empty", "<0.5>")]))[0]!.sessionsLabel, "nobody");
  });

  test("a session without a usable colour always gets the same fallback", () => {
    const a = sessionColor({ session: "s-77" });
    assert.equal(sessionColor({ session: "s-77", color: "blue" }), a);
    assert.equal(sessionColor({ session: "s-1", color: "#ABC" }), "#ABC");
  });

  test("the node: version, uptime, threads, and the cluster's nodes", () => {
    const view = nodeView(snapshot([doc("a", "<0.5>")]), "en-US");
    assert.equal(view.name, "otterd@127.0.0.1:8080");
    assert.deepEqual(view.facts, ["version 0.1.0", "up 1 h 2 min", "2 runtime threads"]);
    assert.deepEqual(view.peers, [{ name: "otterd@127.0.0.1:8080", status: "up", self: true, documents: "1 document" }]);
  });

  test("a snapshot with only the required fields still renders", () => {
    const s = snapshot([]);
    delete s.node;
    delete s.nodes;
    delete s.tree;
    delete s.events;
    delete s.documents_total;
    assert.equal(nodeView(s).name, "this node");
    assert.deepEqual(nodeView(s).facts, []);
    assert.equal(totalsView(s).length, 4);
  });
});

describe("numbers and times in words", () => {
  test("rates have one decimal below ten and none above", () => {
    assert.equal(formatRate(0, "en-US"), "0");
    assert.equal(formatRate(3.54, "en-US"), "3.5");
    assert.equal(formatRate(9.96, "en-US"), "10");
    assert.equal(formatRate(41.5, "en-US"), "42");
    assert.equal(formatRate(1250, "en-US"), "1,250");
    assert.equal(formatRate(-1, "en-US"), "0");
    assert.equal(formatCount(1234567, "en-US"), "1,234,567");
  });

  test("durations use the two largest units", () => {
    assert.equal(formatDuration(-5), "0 s");
    assert.equal(formatDuration(59_999), "59 s");
    assert.equal(formatDuration(60_000), "1 min");
    assert.equal(formatDuration(3 * 3600_000), "3 h");
    assert.equal(formatDuration(3 * 3600_000 + 12 * 60_000 + 5_000), "3 h 12 min");
    assert.equal(formatDuration(2 * 86400_000 + 4 * 3600_000), "2 d 4 h");
  });

  test("event times are a 24-hour clock", () => {
    assert.equal(clockTime(Date.UTC(2026, 10, 21, 14, 3, 27), "UTC"), "14:03:27");
  });

  test("the connection state reads the same on every page", () => {
    assert.equal(connectionLabel("connected", null, 0), "Connected");
    assert.equal(connectionLabel("connecting", null, 0), "Connecting…");
    assert.equal(connectionLabel("reconnecting", 2_500, 1_000), "Reconnecting (retry in 2 s)");
    assert.equal(connectionLabel("reconnecting", null, 1_000), "Reconnecting…");
    assert.equal(connectionLabel("offline", 900, 1_000), "Offline…", "a retry that is due now shows no countdown");
  });
});
