// Remote cursors and selections in CodeMirror: each peer's selection as a tinted range and
// its caret as a coloured bar with the peer's name above it. Positions here are CodeMirror's
// UTF-16 offsets; the page converts the peers' code points before setting them.
//
//   view.dispatch({ effects: setRemoteCursors.of([{ session, name, color, anchor, head }]) })
//
// Between two setRemoteCursors the decorations are mapped through every change, so a
// cursor never points past the text.
import { type Extension, RangeSetBuilder, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView, WidgetType } from "@codemirror/view";

export interface RemoteCursor {
  session: string;
  name: string;
  color: string;
  anchor: number; // UTF-16 offsets
  head: number;
}

export const setRemoteCursors = StateEffect.define<RemoteCursor[]>();

class CaretWidget extends WidgetType {
  constructor(
    readonly name: string,
    readonly color: string,
  ) {
    super();
  }

  override eq(other: CaretWidget): boolean {
    return other.name === this.name && other.color === this.color;
  }

  toDOM(): HTMLElement {
    const caret = document.createElement("span");
    caret.className = "cm-remote-caret";
    caret.style.borderColor = this.color;
    caret.setAttribute("aria-hidden", "true");
    const label = document.createElement("span");
    label.className = "cm-remote-name";
    label.textContent = this.name;
    label.style.backgroundColor = this.color;
    caret.appendChild(label);
    return caret;
  }

  override ignoreEvent(): boolean {
    return true;
  }
}

function build(cursors: readonly RemoteCursor[], docLength: number): DecorationSet {
  const ranges: { from: number; to: number; value: Decoration }[] = [];
  for (const c of cursors) {
    const anchor = Math.min(c.anchor, docLength);
    const head = Math.min(c.head, docLength);
    const from = Math.min(anchor, head);
    const to = Math.max(anchor, head);
    if (from < to) {
      ranges.push({
        from,
        to,
        value: Decoration.mark({
          class: "cm-remote-selection",
          attributes: { style: `background-color: ${c.color}33`, "data-session": c.session },
        }),
      });
    }
    ranges.push({
      from: head,
      to: head,
      value: Decoration.widget({ widget: new CaretWidget(c.name, c.color), side: 1 }),
    });
  }
  ranges.sort((a, b) => a.from - b.from || a.value.startSide - b.value.startSide);
  const builder = new RangeSetBuilder<Decoration>();
  for (const r of ranges) builder.add(r.from, r.to, r.value);
  return builder.finish();
}

const remoteCursorField = StateField.define<DecorationSet>({
  create: () => Decoration.none,
  update(decorations, tr) {
    let next = decorations.map(tr.changes);
    for (const effect of tr.effects) {
      if (effect.is(setRemoteCursors)) next = build(effect.value, tr.state.doc.length);
    }
    return next;
  },
  provide: (field) => EditorView.decorations.from(field),
});

export function remoteCursors(): Extension {
  return [
    remoteCursorField,
    EditorView.baseTheme({
      ".cm-remote-caret": {
        position: "relative",
        borderLeft: "2px solid",
        marginLeft: "-1px",
        marginRight: "-1px",
        pointerEvents: "none",
      },
      ".cm-remote-name": {
        position: "absolute",
        bottom: "1.1em",
        left: "-2px",
        padding: "0 4px",
        borderRadius: "3px 3px 3px 0",
        color: "#fff",
        fontSize: "0.75em",
        lineHeight: "1.4",
        fontFamily: "system-ui, sans-serif",
        whiteSpace: "nowrap",
        zIndex: "10",
      },
    }),
  ];
}
