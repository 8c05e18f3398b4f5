// The supervision tree: visible items, the keyboard moves of the tree pattern, what a node
// says, and which processes got a new pid between two snapshots (a restart).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { docKey, PidChanges } from "../../src/dashboard/pid_changes.js";
import { describeNode, treeKeyAction, visibleItems } from "../../src/dashboard/tree.js";
import { doc, snapshot, tree } from "./dashboard_fixtures.js";

const twoDocs = tree([doc("notes", "<0.42>", { restarts: 1 }), doc("todo", "<0.43>")], 5);

describe("the supervision tree's items", () => {
  test("document processes sit under the documents supervisor, depth first", () => {
    const items = visibleItems(twoDocs, new Set());
    assert.deepEqual(
      items.map((i) => [i.key, i.level, i.parentIndex, i.expandable, i.expanded]),
      [
        ["otter.server", 1, -1, true, true],
        ["otter.server/documents", 2, 0, true, true],
        ["otter.server/documents/notes", 3, 1, false, false],
        ["otter.server/documents/todo", 3, 1, false, false],
        ["otter.server/sessions", 2, 0, false, false],
      ],
    );
  });

  test("a collapsed node hides its children", () => {
    const items = visibleItems(twoDocs, new Set(["otter.server/documents"]));
    assert.deepEqual(
      items.map((i) => i.key),
      ["otter.server", "otter.server/documents", "otter.server/sessions"],
    );
    assert.equal(items[1]!.expanded, false);
    assert.deepEqual(visibleItems(undefined, new Set()), []);
  });

  test("nodes say what they are: kind, strategy, children, restarts", () => {
    assert.deepEqual(describeNode(twoDocs), { title: "otter.server", detail: "supervisor · rest-for-one · 2 children" });
    assert.deepEqual(describeNode(twoDocs.children![0]!), { title: "documents", detail: "dynamic supervisor · 2 children · 1 restart" });
    assert.deepEqual(describeNode(twoDocs.children![1]!), { title: "sessions", detail: "dynamic supervisor · 5 children" });
    assert.deepEqual(describeNode(twoDocs.children![0]!.children![0]!), { title: "notes", detail: "document process · 1 restart" });
    assert.deepEqual(describeNode({ name: "dashboard", kind: "worker", pid: "<0.4>" }), { title: "dashboard", detail: "worker" });
    const truncated = { ...twoDocs.children![0]!, child_count: 350 };
    assert.equal(describeNode(truncated).detail, "dynamic supervisor · 350 children (2 shown) · 1 restart", "the server drew only the most active");
  });
});

describe("the tree's keyboard", () => {
  const items = visibleItems(twoDocs, new Set());
  const collapsedItems = visibleItems(twoDocs, new Set(["otter.server/documents"]));

  test("up and down move through visible items and stop at the ends", () => {
    assert.deepEqual(treeKeyAction(items, 0, "ArrowDown"), { kind: "focus", index: 1 });
    assert.deepEqual(treeKeyAction(items, 3, "ArrowUp"), { kind: "focus", index: 2 });
    assert.equal(treeKeyAction(items, 4, "ArrowDown"), null);
    assert.equal(treeKeyAction(items, 0, "ArrowUp"), null);
    assert.deepEqual(treeKeyAction(collapsedItems, 1, "ArrowDown"), { kind: "focus", index: 2 }, "skips hidden children");
  });

  test("home and end jump to the first and last visible items", () => {
    assert.deepEqual(treeKeyAction(items, 3, "Home"), { kind: "focus", index: 0 });
    assert.deepEqual(treeKeyAction(items, 0, "End"), { kind: "focus", index: 4 });
  });

  test("right expands a collapsed node, then enters it; a leaf ignores it", () => {
    assert.deepEqual(treeKeyAction(collapsedItems, 1, "ArrowRight"), { kind: "expand", key: "otter.server/documents" });
    assert.deepEqual(treeKeyAction(items, 1, "ArrowRight"), { kind: "focus", index: 2 });
    assert.equal(treeKeyAction(items, 2, "ArrowRight"), null);
  });

  test("left collapses an open node, else goes to the parent", () => {
    assert.deepEqual(treeKeyAction(items, 1, "ArrowLeft"), { kind: "collapse", key: "otter.server/documents" });
    assert.deepEqual(treeKeyAction(items, 3, "ArrowLeft"), { kind: "focus", index: 1 });
    assert.deepEqual(treeKeyAction(collapsedItems, 1, "ArrowLeft"), { kind: "focus", index: 0 });
    assert.deepEqual(treeKeyAction(items, 0, "ArrowLeft"), { kind: "collapse", key: "otter.server" });
    assert.equal(treeKeyAction(visibleItems(twoDocs, new Set(["otter.server"])), 0, "ArrowLeft"), null);
  });

  test("other keys and a missing item do nothing", () => {
    assert.equal(treeKeyAction(items, 0, "a"), null);
    assert.equal(treeKeyAction(items, -1, "ArrowDown"), null);
  });
});

describe("pid changes between snapshots", () => {
  test("the first snapshot changes nothing, and neither does the same one again", () => {
    const changes = new PidChanges();
    const s = snapshot([doc("notes", "<0.42>")]);
    assert.deepEqual([...changes.observe(s)], []);
    assert.deepEqual([...changes.observe(s)], []);
  });

  test("a restarted document changes its row and its tree node, nothing else", () => {
    const changes = new PidChanges();
    changes.observe(snapshot([doc("notes", "<0.42>"), doc("todo", "<0.43>")]));
    const changed = changes.observe(snapshot([doc("notes", "<0.44>", { restarts: 1 }), doc("todo", "<0.43>")]));
    assert.deepEqual([...changed].sort(), [docKey("notes"), "otter.server/documents/notes"]);
  });

  test("a newly opened document is not a restart", () => {
    const changes = new PidChanges();
    changes.observe(snapshot([doc("notes", "<0.42>")]));
    assert.deepEqual([...changes.observe(snapshot([doc("notes", "<0.42>"), doc("new", "<0.50>")]))], []);
  });

  test("a document closed and opened again starts afresh", () => {
    const changes = new PidChanges();
    changes.observe(snapshot([doc("notes", "<0.42>")]));
    changes.observe(snapshot([]));
    assert.deepEqual([...changes.observe(snapshot([doc("notes", "<0.60>")]))], []);
  });

  test("a restarted supervisor changes its own node", () => {
    const changes = new PidChanges();
    const s = snapshot([doc("notes", "<0.42>")]);
    changes.observe(s);
    const after = snapshot([doc("notes", "<0.42>")]);
    after.tree!.children![0]!.pid = "<0.99>";
    assert.deepEqual([...changes.observe(after)], ["otter.server/documents"]);
  });
});
