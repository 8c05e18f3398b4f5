// The supervision tree on the dashboard: nested lists with the WAI-ARIA tree roles, each
// document process under its supervisor. Keyboard: one tab stop (roving tabindex); arrows
// move, Right/Left expand and collapse, Home/End jump; Enter or Space toggles. A node whose
// pid changed flashes. Items are kept by key across snapshots, so focus stays put.
import type { TreeNode } from "../net/dashboard_protocol.js";
import { childKey, describeNode, isExpandable, treeKeyAction, visibleItems } from "../dashboard/tree.js";
import { h, placeChildren, replayAnimation, setText } from "./dom.js";

interface ItemElements {
  li: HTMLLIElement;
  row: HTMLElement;
  toggle: HTMLElement;
  name: HTMLElement;
  detail: HTMLElement;
  pid: HTMLElement;
  group: HTMLUListElement;
}

let nextLabelId = 0;

export class SupervisionTreeView {
  readonly element: HTMLUListElement;
  private readonly items = new Map<string, ItemElements>();
  private readonly collapsed = new Set<string>();
  private root: TreeNode | undefined;
  private active: string | null = null;

  constructor() {
    this.element = h("ul", { class: "tree", role: "tree", "aria-label": "Supervision tree" });
    this.element.addEventListener("keydown", (event) => this.onKey(event));
  }

  /** Draws `root`; the nodes whose keys are in `changed` (a new pid) flash. */
  render(root: TreeNode | undefined, changed: ReadonlySet<string>): void {
    this.root = root;
    const seen = new Set<string>();
    placeChildren(this.element, root ? [this.renderNode(root, root.name, changed, seen)] : []);
    for (const key of [...this.items.keys()]) if (!seen.has(key)) this.items.delete(key);
    this.updateTabStop();
  }

  private renderNode(node: TreeNode, key: string, changed: ReadonlySet<string>, seen: Set<string>): HTMLLIElement {
    seen.add(key);
    const item = this.items.get(key) ?? this.createItem(key);
    const text = describeNode(node);
    setText(item.name, text.title);
    setText(item.detail, text.detail);
    setText(item.pid, node.pid ?? "");
    item.li.dataset["kind"] = node.kind;
    if (node.pid !== undefined) item.li.dataset["pid"] = node.pid;
    if (node.doc !== undefined) item.li.dataset["doc"] = node.doc;
    const expandable = isExpandable(node);
    const expanded = expandable && !this.collapsed.has(key);
    if (expandable) item.li.setAttribute("aria-expanded", String(expanded));
    else item.li.removeAttribute("aria-expanded");
    setText(item.toggle, expandable ? (expanded ? "▾" : "▸") : "•");
    const children = expandable ? node.children!.map((child) => this.renderNode(child, childKey(key, child), changed, seen)) : [];
    placeChildren(item.group, children);
    item.group.hidden = !expanded;
    if (changed.has(key)) replayAnimation(item.row, "flash");
    return item.li;
  }

  private createItem(key: string): ItemElements {
    const id = `tree-node-${nextLabelId++}`;
    const toggle = h("span", { class: "tree-toggle", "aria-hidden": "true" });
    const name = h("span", { class: "tree-name" });
    const detail = h("span", { class: "tree-detail" });
    const pid = h("code", { class: "pid" });
    const row = h("div", { class: "tree-row", id }, toggle, name, detail, pid);
    const group = h("ul", { role: "group" });
    const li = h("li", { role: "treeitem", tabindex: "-1", "aria-labelledby": id, "data-key": key }, row, group);
    row.addEventListener("click", () => {
      this.focusKey(key);
      this.toggle(key);
    });
    const item = { li, row, toggle, name, detail, pid, group };
    this.items.set(key, item);
    return item;
  }

  private onKey(event: KeyboardEvent): void {
    const target = (event.target as HTMLElement).closest<HTMLElement>('[role="treeitem"]');
    const key = target?.dataset["key"];
    if (key === undefined) return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      this.toggle(key);
      return;
    }
    const visible = visibleItems(this.root, this.collapsed);
    const action = treeKeyAction(
      visible,
      visible.findIndex((item) => item.key === key),
      event.key,
    );
    if (!action) return;
    event.preventDefault();
    if (action.kind === "focus") this.focusKey(visible[action.index]!.key);
    else this.toggle(action.key);
  }

  private toggle(key: string): void {
    const item = this.items.get(key);
    if (!item || !item.li.hasAttribute("aria-expanded")) return;
    if (this.collapsed.has(key)) this.collapsed.delete(key);
    else this.collapsed.add(key);
    const expanded = !this.collapsed.has(key);
    item.li.setAttribute("aria-expanded", String(expanded));
    setText(item.toggle, expanded ? "▾" : "▸");
    item.group.hidden = !expanded;
    this.updateTabStop();
  }

  private focusKey(key: string): void {
    this.active = key;
    this.updateTabStop();
    this.items.get(key)?.li.focus();
  }

  // One tab stop: the active item, or the root if the active one is gone or hidden.
  private updateTabStop(): void {
    const visible = new Set(visibleItems(this.root, this.collapsed).map((item) => item.key));
    if (this.active === null || !visible.has(this.active)) this.active = this.root?.name ?? null;
    for (const [key, item] of this.items) item.li.tabIndex = key === this.active ? 0 : -1;
  }
}
