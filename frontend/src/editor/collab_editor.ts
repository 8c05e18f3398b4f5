// CollabEditor: a CodeMirror 6 editor bound to one document of a Connection. Local edits
// become ops (UTF-16 → code points at the edge), remote ops become CodeMirror changes, the
// local selection becomes presence, and the peers' selections become remote cursors.
//
// Contract
// - The editor is read-only until the document's text has arrived (the first "loaded").
// - Lines are split on "\n" only, so a "\r" in the text stays a character: the editor's
//   text is exactly the server's, code point for code point.
// - Text that has no UTF-8 form never leaves: lone surrogates in an edit become U+FFFD and a
//   change that would split a surrogate pair is widened to the whole pair (a filter below).
// - Remote changes are not added to the undo history; undo takes back only local edits.
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { Annotation, Compartment, EditorState, Transaction, type TransactionSpec } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder,
} from "@codemirror/view";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";

import type { Connection } from "../net/connection.js";
import type { DocumentSync, SyncEvent } from "../net/document_sync.js";
import {
  changesToOp,
  codePointsToUtf16,
  loneSurrogateIndex,
  opToChanges,
  replaceLoneSurrogates,
  splitsSurrogatePair,
  type Utf16Change,
  utf16ToCodePoints,
} from "../ot/index.js";
import { type RemoteCursor, remoteCursors, setRemoteCursors } from "./remote_cursors.js";

const fromServer = Annotation.define<boolean>();
const PRESENCE_INTERVAL_MS = 40;

export interface CollabEditorHooks {
  onEvent?: (event: SyncEvent, sync: DocumentSync) => void;
}

export class CollabEditor {
  readonly view: EditorView;
  readonly sync: DocumentSync;
  private readonly connection: Connection;
  private readonly editable = new Compartment();
  private cursorsQueued = false;
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  private lastPresenceAt = 0;

  constructor(parent: HTMLElement, connection: Connection, doc: string, hooks: CollabEditorHooks = {}) {
    this.connection = connection;
    this.view = new EditorView({
      parent,
      state: EditorState.create({
        doc: "",
        extensions: [
          EditorState.lineSeparator.of("\n"),
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          EditorView.lineWrapping,
          placeholder("Start typing…"),
          keymap.of([...defaultKeymap, ...historyKeymap, ...searchKeymap, indentWithTab]),
          this.editable.of([EditorState.readOnly.of(true), EditorView.editable.of(false)]),
          EditorView.contentAttributes.of({ "aria-label": `Text of document ${doc}` }),
          remoteCursors(),
          EditorState.transactionFilter.of(keepUtf8Safe),
          EditorView.updateListener.of((update) => {
            for (const tr of update.transactions) {
              if (tr.docChanged && !tr.annotation(fromServer)) this.sendLocal(tr);
            }
            if (update.selectionSet || update.docChanged) this.schedulePresence();
          }),
        ],
      }),
    });
    this.sync = connection.open(doc, (event, sync) => {
      this.onSyncEvent(event);
      hooks.onEvent?.(event, sync);
    });
    if (this.sync.loaded) this.queueCursorRefresh();
  }

  /** The editor's text (for tests and the page). */
  text(): string {
    return this.view.state.doc.toString();
  }

  destroy(): void {
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.view.destroy();
  }

  private onSyncEvent(event: SyncEvent): void {
    switch (event.kind) {
      case "loaded": {
        const doc = this.view.state.doc;
        this.view.dispatch({
          changes: { from: 0, to: doc.length, insert: event.text },
          annotations: [fromServer.of(true), Transaction.addToHistory.of(false)],
          effects: this.editable.reconfigure([]),
        });
        this.queueCursorRefresh();
        this.schedulePresence();
        return;
      }
      case "remote": {
        const changes = opToChanges(this.view.state.doc, event.op);
        this.view.dispatch({ changes, annotations: [fromServer.of(true), Transaction.addToHistory.of(false)] });
        this.queueCursorRefresh();
        return;
      }
      case "peers":
        this.queueCursorRefresh();
        return;
      default:
        return;
    }
  }

  private sendLocal(tr: Transaction): void {
    const changes: Utf16Change[] = [];
    tr.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
      changes.push({ fromA, toA, inserted: inserted.toString() });
    });
    const op = changesToOp(tr.startState.doc, this.sync.documentLength, changes);
    this.connection.localEdit(this.sync.doc, op);
    this.queueCursorRefresh();
  }

  // Presence at most every PRESENCE_INTERVAL_MS, always with the latest selection.
  private schedulePresence(): void {
    if (this.presenceTimer || !this.sync.loaded) return;
    const wait = Math.max(0, this.lastPresenceAt + PRESENCE_INTERVAL_MS - Date.now());
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      this.lastPresenceAt = Date.now();
      const { anchor, head } = this.view.state.selection.main;
      const [a, h] = utf16ToCodePoints(this.view.state.doc, [anchor, head]);
      this.connection.setSelection(this.sync.doc, { anchor: a!, head: h! });
    }, wait);
  }

  // The peers' cursors are kept in code points by the sync; convert them after the current
  // update (dispatching inside an update listener is not allowed).
  private queueCursorRefresh(): void {
    if (this.cursorsQueued) return;
    this.cursorsQueued = true;
    queueMicrotask(() => {
      this.cursorsQueued = false;
      const doc = this.view.state.doc;
      const peers = [...this.sync.peers.values()].filter((p) => p.selection);
      const positions = peers.flatMap((p) => [p.selection!.anchor, p.selection!.head]);
      const utf16 = codePointsToUtf16(doc, positions);
      const cursors: RemoteCursor[] = peers.map((p, i) => ({
        session: p.session,
        name: p.name,
        color: p.color,
        anchor: utf16[2 * i]!,
        head: utf16[2 * i + 1]!,
      }));
      this.view.dispatch({ effects: setRemoteCursors.of(cursors) });
    });
  }
}

// Lone surrogates in inserted text become U+FFFD; a change boundary inside a surrogate pair
// is moved out to include the whole pair. Server changes are valid already.
function keepUtf8Safe(tr: Transaction): Transaction | TransactionSpec {
  if (!tr.docChanged || tr.annotation(fromServer)) return tr;
  const doc = tr.startState.doc;
  let unsafe = false;
  const around = (pos: number): string => doc.sliceString(Math.max(0, pos - 1), Math.min(doc.length, pos + 1));
  const splits = (pos: number): boolean => pos > 0 && splitsSurrogatePair(around(pos), 1);
  tr.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
    if (splits(fromA) || splits(toA) || loneSurrogateIndex(inserted.toString()) >= 0) unsafe = true;
  });
  if (!unsafe) return tr;
  const specs: { from: number; to: number; insert: string }[] = [];
  tr.changes.iterChanges((fromA, toA, _fromB, _toB, inserted) => {
    specs.push({
      from: splits(fromA) ? fromA - 1 : fromA,
      to: splits(toA) ? toA + 1 : toA,
      insert: replaceLoneSurrogates(inserted.toString()),
    });
  });
  return { changes: specs, scrollIntoView: tr.scrollIntoView };
}
