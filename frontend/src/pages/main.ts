// The web app's entry: one bundle for every page, routed by path.
//   /          the start page: documents, create one
//   /d/<id>    the editor
//   /dashboard the live dashboard
import { utf16ToCodePoints } from "../ot/index.js";
import { renderDashboardPage } from "./dashboard_page.js";
import { renderEditorPage } from "./editor_page.js";
import { renderStartPage } from "./start_page.js";

declare global {
  interface Window {
    /** A handle for tests and the curious: the editor page's state (see docs/frontend.md). */
    otter?: unknown;
  }
}

function route(): void {
  const root = document.getElementById("app")!;
  const match = /^\/d\/([^/]+)\/?$/.exec(location.pathname);
  if (match) {
    const doc = decodeURIComponent(match[1]!);
    const { editor, connection } = renderEditorPage(root, doc);
    window.otter = {
      editor,
      connection,
      text: () => editor.text(),
      state: () => ({
        connection: connection.state,
        phase: editor.sync.phase,
        revision: editor.sync.revision,
        pending: editor.sync.pendingEdits,
        synchronized: editor.sync.synchronized,
        peers: [...editor.sync.peers.values()].map((p) => ({ name: p.name, selection: p.selection })),
        selection: (() => {
          const { anchor, head } = editor.view.state.selection.main;
          const [a, h] = utf16ToCodePoints(editor.view.state.doc, [anchor, head]);
          return { anchor: a, head: h };
        })(),
      }),
    };
    return;
  }
  if (/^\/dashboard\/?$/.test(location.pathname)) {
    window.otter = renderDashboardPage(root);
    return;
  }
  renderStartPage(root);
}

route();
