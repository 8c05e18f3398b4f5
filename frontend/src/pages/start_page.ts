// The start page (/): create a document, or open one from the list of every document.
import { ApiError, createDocument, DOC_ID_PATTERN, type DocumentInfo, listDocuments } from "../net/rest.js";
import { h, relativeTime, topbar } from "./dom.js";
import { suggestDocId } from "./identity.js";

export function renderStartPage(root: HTMLElement): void {
  document.title = "Otter — documents";
  const input = h("input", {
    type: "text",
    id: "new-doc-id",
    name: "id",
    placeholder: suggestDocId(),
    pattern: "[A-Za-z0-9._\\-]{1,128}",
    maxlength: "128",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": "new-doc-help",
  });
  const error = h("p", { class: "form-error", role: "alert" });
  error.hidden = true;
  const form = h(
    "form",
    { class: "create-form", "aria-label": "Create a document" },
    h("label", { for: "new-doc-id", class: "visually-hidden" }, "Document name"),
    input,
    h("button", { type: "submit", class: "primary" }, "Create"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void create(input.value.trim() || input.placeholder, error);
  });
  const list = h("ul", { class: "doc-list", "aria-live": "polite" }, h("li", { class: "empty" }, "Loading…"));
  const refresh = h("button", { type: "button", onclick: () => void load(list) }, "Refresh");

  root.replaceChildren(
    topbar(h("span", { class: "spacer" })),
    h(
      "main",
      { id: "main", class: "start-main" },
      h("h1", {}, "Write together"),
      h("p", { class: "lead" }, "Every document opens in a shared editor: everyone with its link edits the same text, live."),
      h(
        "section",
        { class: "card", "aria-labelledby": "create-heading" },
        h("h2", { id: "create-heading" }, "New document"),
        form,
        h("p", { id: "new-doc-help", class: "doc-meta" }, "Letters, digits, '.', '_' and '-'; up to 128 characters. Leave empty for the suggested name."),
        error,
      ),
      h(
        "section",
        { class: "card", "aria-labelledby": "list-heading" },
        h("div", { style: "display:flex;justify-content:space-between;align-items:center" }, h("h2", { id: "list-heading" }, "Documents"), refresh),
        list,
      ),
      // Last in the tab order: the name field stays the first stop after the header.
      h("p", { class: "doc-meta" }, "Watch the server at work — documents, sessions, process restarts — on the ", h("a", { href: "/dashboard" }, "live dashboard"), "."),
    ),
  );
  void load(list);
}

async function create(id: string, error: HTMLElement): Promise<void> {
  error.hidden = true;
  if (!DOC_ID_PATTERN.test(id)) {
    error.textContent = `"${id}" is not a document name: use 1–128 letters, digits, '.', '_' or '-'.`;
    error.hidden = false;
    return;
  }
  try {
    await createDocument(id);
  } catch (e) {
    if (!(e instanceof ApiError && e.code === "doc_exists")) {
      error.textContent = `Could not create "${id}": ${(e as Error).message}`;
      error.hidden = false;
      return;
    }
    // It exists already: open it.
  }
  location.assign(`/d/${encodeURIComponent(id)}`);
}

async function load(list: HTMLElement): Promise<void> {
  let docs: DocumentInfo[];
  try {
    docs = await listDocuments();
  } catch (e) {
    list.replaceChildren(h("li", { class: "empty" }, `Could not load the documents: ${(e as Error).message}`));
    return;
  }
  if (docs.length === 0) {
    list.replaceChildren(h("li", { class: "empty" }, "No documents yet — create the first one above."));
    return;
  }
  docs.sort((a, b) => b.updated_ms - a.updated_ms);
  list.replaceChildren(
    ...docs.map((d) =>
      h(
        "li",
        {},
        h("a", { href: `/d/${encodeURIComponent(d.id)}` }, d.id),
        h("span", { class: "doc-meta" }, `${d.length.toLocaleString()} characters · revision ${d.revision} · edited ${relativeTime(d.updated_ms)}`),
      ),
    ),
  );
}
