// The dashboard's documents table: one row per open document, kept by id across snapshots
// (focus on a link or button survives updates). A row whose process got a new pid flashes.
// On a phone each row becomes a card (styles.css, using each cell's data-label).
import type { DocumentRow } from "../dashboard/view_model.js";
import { type RateHistory, sparklinePoints } from "../dashboard/sparkline.js";
import { avatar, h, placeChildren, replayAnimation, setText } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const SPARK_WIDTH = 80;
const SPARK_HEIGHT = 20;

interface RowElements {
  tr: HTMLTableRowElement;
  link: HTMLAnchorElement;
  people: HTMLUListElement;
  revision: HTMLElement;
  length: HTMLElement;
  ops: HTMLElement;
  line: SVGPolylineElement;
  restarts: HTMLElement;
  pid: HTMLElement;
  actions: HTMLElement;
  crash: HTMLButtonElement;
}

function cell(label: string, field: string, ...children: (Node | string)[]): HTMLTableCellElement {
  return h("td", { "data-label": label, "data-field": field }, ...children);
}

export class DocumentsTableView {
  readonly element: HTMLTableElement;
  private readonly body: HTMLTableSectionElement;
  private readonly actionsHeader: HTMLElement;
  private readonly rows = new Map<string, RowElements>();
  private readonly crashing = new Set<string>();

  constructor(private readonly onCrash: (doc: string) => void) {
    this.actionsHeader = h("th", { scope: "col" }, h("span", { class: "visually-hidden" }, "Actions"));
    this.body = h("tbody");
    this.element = h(
      "table",
      { class: "docs-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, "Document"),
          h("th", { scope: "col" }, "People"),
          h("th", { scope: "col", class: "num" }, "Revision"),
          h("th", { scope: "col", class: "num" }, "Length"),
          h("th", { scope: "col", class: "num" }, "Ops/s"),
          h("th", { scope: "col", class: "num" }, "Restarts"),
          h("th", { scope: "col" }, "Process"),
          this.actionsHeader,
        ),
      ),
      this.body,
    );
  }

  render(rows: readonly DocumentRow[], admin: boolean, changed: ReadonlySet<string>, history: RateHistory, now: number): void {
    this.actionsHeader.hidden = !admin;
    const seen = new Set<string>();
    const elements = rows.map((row) => {
      seen.add(row.id);
      const r = this.rows.get(row.id) ?? this.createRow(row.id);
      this.update(r, row, admin, history, now);
      if (changed.has(row.id)) replayAnimation(r.tr, "flash");
      return r.tr;
    });
    placeChildren(this.body, elements);
    for (const id of [...this.rows.keys()]) if (!seen.has(id)) this.rows.delete(id);
  }

  /** The crash request for `doc` is on its way (the button waits) or answered. */
  setCrashing(doc: string, crashing: boolean): void {
    if (crashing) this.crashing.add(doc);
    else this.crashing.delete(doc);
    const r = this.rows.get(doc);
    if (r) this.updateCrashButton(r, doc);
  }

  clearCrashing(): void {
    for (const doc of [...this.crashing]) this.setCrashing(doc, false);
  }

  private createRow(id: string): RowElements {
    const link = h("a", { href: `/d/${encodeURIComponent(id)}` }, id);
    const people = h("ul", { class: "people" });
    const revision = h("span");
    const length = h("span");
    const ops = h("span", { class: "ops-value" });
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "sparkline");
    svg.setAttribute("viewBox", `0 -2 ${SPARK_WIDTH} ${SPARK_HEIGHT + 4}`); // room for the stroke at the top and bottom
    svg.setAttribute("aria-hidden", "true");
    const line = document.createElementNS(SVG, "polyline");
    svg.append(line);
    const restarts = h("span");
    const pid = h("code", { class: "pid" });
    const crash = h("button", { type: "button", class: "danger", "aria-label": `Crash ${id}` }, "Crash");
    crash.addEventListener("click", () => {
      if (!this.crashing.has(id)) this.onCrash(id);
    });
    const actions = cell("", "actions", crash);
    const tr = h(
      "tr",
      { "data-doc": id },
      h("th", { scope: "row", "data-label": "Document", "data-field": "id" }, link),
      cell("People", "people", people),
      cell("Revision", "revision", revision),
      cell("Length", "length", length),
      cell("Ops/s", "ops", svg, ops), // the number last: right-aligned under its heading
      cell("Restarts", "restarts", restarts),
      cell("Process", "pid", pid),
      actions,
    );
    for (const td of tr.querySelectorAll('[data-field="revision"], [data-field="length"], [data-field="ops"], [data-field="restarts"]')) {
      td.classList.add("num");
    }
    const r = { tr, link, people, revision, length, ops, line, restarts, pid, actions, crash };
    this.rows.set(id, r);
    return r;
  }

  private update(r: RowElements, row: DocumentRow, admin: boolean, history: RateHistory, now: number): void {
    const signature = row.sessions.map((s) => `${s.key}\u0000${s.name}\u0000${s.color}`).join("\u0001");
    if (r.people.dataset["signature"] !== signature) {
      r.people.dataset["signature"] = signature;
      r.people.setAttribute("aria-label", `${row.sessions.length} ${row.sessions.length === 1 ? "person" : "people"}: ${row.sessionsLabel}`);
      r.people.replaceChildren(
        ...(row.sessions.length
          ? row.sessions.map((s) => h("li", { "data-session": s.key }, avatar(s.name, s.color), h("span", { class: "person-name" }, s.name)))
          : [h("li", { class: "empty" }, "nobody")]),
      );
    }
    setText(r.revision, row.revision);
    setText(r.length, row.length);
    setText(r.ops, row.ops);
    r.line.setAttribute("points", sparklinePoints(history.samples(row.id), now, history.windowMs, SPARK_WIDTH, SPARK_HEIGHT));
    setText(r.restarts, String(row.restarts));
    r.restarts.classList.toggle("restarted", row.restarts > 0);
    setText(r.pid, row.pid);
    r.tr.dataset["pid"] = row.pid;
    r.tr.dataset["restarts"] = String(row.restarts);
    r.actions.hidden = !admin;
    this.updateCrashButton(r, row.id);
  }

  private updateCrashButton(r: RowElements, doc: string): void {
    const crashing = this.crashing.has(doc);
    // aria-disabled, not disabled: a disabled button would drop the keyboard focus.
    r.crash.setAttribute("aria-disabled", String(crashing));
    setText(r.crash, crashing ? "Crashing…" : "Crash");
  }
}
