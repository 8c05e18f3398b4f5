// The editor page (/d/<id>): the shared editor, who is here, and the connection state.
import { CollabEditor } from "../editor/collab_editor.js";
import { Connection, type ConnectionState } from "../net/connection.js";
import type { DocumentSync, SyncEvent } from "../net/document_sync.js";
import { connectionLabel } from "./connection_status.js";
import { avatar, h, topbar } from "./dom.js";
import { loadMe, saveMe } from "./identity.js";

export interface EditorPageHandle {
  editor: CollabEditor;
  connection: Connection;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function renderEditorPage(root: HTMLElement, doc: string): EditorPageHandle {
  document.title = `${doc} — Otter`;
  const me = loadMe();
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const connection = new Connection({ url: `${scheme}//${location.host}/ws`, ...me });

  const statusText = h("span", { class: "status-text" }, "Connecting…");
  const retry = h("button", { type: "button", onclick: () => connection.retryNow() }, "Retry now");
  retry.hidden = true;
  const status = h("div", { class: "status", role: "status", "aria-live": "polite", "data-state": "connecting" }, statusText, retry);
  const presence = h("ul", { class: "presence", "aria-label": "Who is here" });
  const nameInput = h("input", { type: "text", id: "my-name", value: me.name, maxlength: "40", autocomplete: "nickname" });
  const saveName = (): void => {
    const name = nameInput.value.trim();
    if (!name || name === me.name) return;
    me.name = name;
    saveMe(me.name, me.color);
    connection.setIdentity(me.name, me.color);
    renderPresence();
  };
  nameInput.addEventListener("change", saveName);
  nameInput.addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      saveName();
      editor.view.focus();
    }
  });
  const notice = h("div", { class: "notice", role: "alert" });
  notice.hidden = true;
  const foot = h("div", { class: "editor-foot" });
  const host = h("div", { class: "editor-host" });

  root.replaceChildren(
    topbar(
      h("h1", {}, doc),
      h("span", { class: "spacer" }),
      status,
      presence,
      h("div", { class: "me" }, avatar(me.name, me.color), h("label", { for: "my-name", class: "visually-hidden" }, "Your name"), nameInput),
    ),
    h("main", { id: "main", class: "editor-main" }, notice, host, foot),
  );

  const showNotice = (text: string, bad = false): void => {
    notice.textContent = text;
    notice.classList.toggle("bad", bad);
    notice.hidden = false;
  };

  const onEvent = (event: SyncEvent, sync: DocumentSync): void => {
    if (event.kind === "loaded" && event.localEditsDropped) {
      showNotice("The server could not take some of your last edits; the document was reloaded from the server.");
    } else if (event.kind === "error" && !event.handled) {
      if (sync.phase === "failed") showNotice(`Could not open "${doc}": ${event.message}`, true);
      else showNotice(event.message, true);
    } else if (event.kind === "loaded" || event.kind === "resumed") {
      if (!notice.classList.contains("bad")) notice.hidden = true;
    }
    if (event.kind === "peers") renderPresence();
    renderStatus();
  };

  const editor = new CollabEditor(host, connection, doc, { onEvent });

  function renderPresence(): void {
    const items = [h("li", {}, avatar(me.name, me.color), `${me.name} (you)`)];
    const peers = [...editor.sync.peers.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const p of peers) items.push(h("li", { "data-session": p.session }, avatar(p.name, p.color), p.name));
    presence.replaceChildren(...items);
    presence.setAttribute("aria-label", `Who is here: ${plural(items.length, "person", "people")}`);
  }

  function renderStatus(): void {
    const state: ConnectionState = connection.state;
    const pending = editor.sync.pendingEdits;
    const pendingText = pending > 0 ? ` · ${plural(pending, "edit", "edits")} pending` : "";
    const label = connectionLabel(state, connection.nextRetryAt, Date.now());
    statusText.textContent = state === "connected" || state === "connecting" ? label : label + pendingText;
    status.dataset["state"] = state;
    status.dataset["pending"] = String(pending);
    retry.hidden = state === "connected" || state === "connecting";
    const saved = pending === 0 ? "All changes saved" : `Saving ${plural(pending, "edit", "edits")}…`;
    foot.replaceChildren(
      h("span", {}, `Revision ${editor.sync.revision}`),
      h("span", {}, `${editor.sync.documentLength.toLocaleString()} characters`),
      h("span", {}, state === "connected" ? saved : `${plural(pending, "edit", "edits")} not yet saved`),
    );
  }

  connection.onState(renderStatus);
  setInterval(() => {
    if (connection.state !== "connected") renderStatus();
  }, 1000);
  renderPresence();
  renderStatus();
  connection.start();
  editor.view.focus();
  return { editor, connection };
}
