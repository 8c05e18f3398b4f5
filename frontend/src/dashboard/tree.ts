// The supervision tree as the page draws it: stable keys for nodes, what each node says,
// the visible items in order (collapsed nodes hide their children), and the keyboard moves
// of the WAI-ARIA tree pattern. Pure: the DOM lives in pages/dashboard_tree_view.ts.
//
// Keys are the path of names from the root ("otter.server/documents/notes"): a document's
// node keeps its key when its process restarts (a new pid), which is how the page flashes it.
import type { TreeNode } from "../net/dashboard_protocol.js";
import { formatCount, plural } from "./format.js";

export function childKey(parentKey: string, node: TreeNode): string {
  return parentKey ? `${parentKey}/${node.name}` : node.name;
}

export interface TreeItem {
  key: string;
  node: TreeNode;
  level: number; // 1 at the root
  parentIndex: number; // -1 at the root
  expandable: boolean;
  expanded: boolean;
}

export function isExpandable(node: TreeNode): boolean {
  return (node.children?.length ?? 0) > 0;
}

/** The visible items, depth first, as a screen reader walks them. */
export function visibleItems(root: TreeNode | undefined, collapsed: ReadonlySet<string>): TreeItem[] {
  const items: TreeItem[] = [];
  const walk = (node: TreeNode, key: string, level: number, parentIndex: number): void => {
    const expandable = isExpandable(node);
    const expanded = expandable && !collapsed.has(key);
    const index = items.length;
    items.push({ key, node, level, parentIndex, expandable, expanded });
    if (expanded) for (const child of node.children!) walk(child, childKey(key, child), level + 1, index);
  };
  if (root) walk(root, root.name, 1, -1);
  return items;
}

export type TreeAction = { kind: "focus"; index: number } | { kind: "expand"; key: string } | { kind: "collapse"; key: string };

/** What `key` (a KeyboardEvent.key) does on the item at `index`; null if nothing. */
export function treeKeyAction(items: readonly TreeItem[], index: number, key: string): TreeAction | null {
  const item = items[index];
  if (!item) return null;
  switch (key) {
    case "ArrowDown":
      return index + 1 < items.length ? { kind: "focus", index: index + 1 } : null;
    case "ArrowUp":
      return index > 0 ? { kind: "focus", index: index - 1 } : null;
    case "Home":
      return { kind: "focus", index: 0 };
    case "End":
      return { kind: "focus", index: items.length - 1 };
    case "ArrowRight":
      if (!item.expandable) return null;
      return item.expanded ? { kind: "focus", index: index + 1 } : { kind: "expand", key: item.key };
    case "ArrowLeft":
      if (item.expanded) return { kind: "collapse", key: item.key };
      return item.parentIndex >= 0 ? { kind: "focus", index: item.parentIndex } : null;
    default:
      return null;
  }
}

export interface NodeText {
  title: string;
  detail: string; // kind, strategy, restarts, child count
}

export function describeNode(node: TreeNode): NodeText {
  const kind = node.kind === "worker" && node.doc !== undefined ? "document process" : node.kind.replace(/_/g, " ");
  const parts = [kind];
  if (node.strategy) parts.push(node.strategy.replace(/_/g, "-"));
  if (node.child_count !== undefined) {
    const shown = node.children?.length;
    const partly = shown !== undefined && shown < node.child_count ? ` (${formatCount(shown)} shown)` : "";
    parts.push(plural(node.child_count, "child", "children") + partly);
  }
  else if (node.children && node.kind !== "worker") parts.push(plural(node.children.length, "child", "children"));
  if (node.restarts) parts.push(plural(node.restarts, "restart", "restarts"));
  return { title: node.name, detail: parts.join(" · ") };
}
