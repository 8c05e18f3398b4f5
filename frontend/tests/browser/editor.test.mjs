// Browser tests: Debian's chromium (headless, through playwright-core) against a real
// otterd on a free port. Two pages type into one document at once, see each other's
// cursors, and a page that loses its connection keeps typing and comes back with its
// edits applied exactly once. Screenshots go to frontend/test-artifacts/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import {
  api,
  converge,
  count,
  getDoc,
  launchChromium,
  newPage,
  openEditor,
  pageText,
  paste,
  screenshot,
  startOtterd,
  startProxy,
  typeThroughCrash,
  until,
} from "./support.mjs";

describe("the web editor against a real otterd", () => {
  let server;
  let browser;

  before(async () => {
    server = await startOtterd();
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the start page lists documents and creates a new one from the keyboard", async () => {
    await api(server, "POST", "/api/docs", { id: "shopping-list", text: "milk\neggs 🥚\n" });
    const page = await newPage(browser);
    await page.goto(`${server.url}/`);
    await page.getByRole("link", { name: "shopping-list" }).waitFor();
    await screenshot(page, "start-page");
    // Keyboard only: Tab past the skip link and the home link to the name field, Enter creates.
    const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent);
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "Skip to content");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "new-doc-id");
    await page.keyboard.type("fresh-notes");
    await page.keyboard.press("Enter");
    await page.waitForURL(`${server.url}/d/fresh-notes`);
    await page.waitForFunction(() => window.otter?.state().phase === "open");
    assert.equal((await getDoc(server, "fresh-notes")).text, "");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("two pages typing at once, emoji and a multi-line paste included, end with the server's text", async () => {
    const doc = "duet";
    await api(server, "POST", "/api/docs", { id: doc, text: "Title\n\nThe end.\n" });
    const ann = await newPage(browser);
    const bo = await newPage(browser);
    await openEditor(ann, server.url, doc, "Ann");
    await openEditor(bo, server.url, doc, "Bo");

    // Ann types at the end of the first line, Bo at the end of the document, at the same time.
    await ann.locator(".cm-content").click();
    await ann.keyboard.press("Control+Home");
    await ann.keyboard.press("End");
    await bo.locator(".cm-content").click();
    await bo.keyboard.press("Control+End");
    const annText = " — by Ann 🦦 with emoji 😀👍🏽";
    const boText = "Bo was here 🎉 ";
    const pasted = "pasted line 1\npasted line 2 with 中文 and 😀\n\tpasted line 3\n";
    await Promise.all([
      ann.keyboard.type(annText, { delay: 15 }),
      (async () => {
        await bo.keyboard.type(boText, { delay: 15 });
        await paste(bo, pasted);
        await bo.keyboard.type("after the paste", { delay: 15 });
      })(),
    ]);

    const text = await converge(server, doc, [ann, bo]);
    assert.equal(count(text, annText), 1, `Ann's text once in ${JSON.stringify(text)}`);
    assert.equal(count(text, boText + pasted + "after the paste"), 1, `Bo's text once in ${JSON.stringify(text)}`);
    assert.ok(text.startsWith("Title" + annText + "\n"), JSON.stringify(text));

    // Each sees the other's cursor, where the other has it, and the other's name.
    const [annSelection, boSelection] = await Promise.all([
      ann.evaluate(() => window.otter.state().selection),
      bo.evaluate(() => window.otter.state().selection),
    ]);
    await ann.waitForFunction(
      (sel) => window.otter.state().peers.some((p) => p.name === "Bo" && p.selection?.head === sel.head),
      boSelection,
    );
    await bo.waitForFunction(
      (sel) => window.otter.state().peers.some((p) => p.name === "Ann" && p.selection?.head === sel.head),
      annSelection,
    );
    await ann.locator(".cm-remote-name", { hasText: "Bo" }).waitFor();
    await bo.locator(".cm-remote-name", { hasText: "Ann" }).waitFor();
    await ann.getByRole("list", { name: /Who is here/ }).getByText("Bo").waitFor();
    await bo.getByRole("list", { name: /Who is here/ }).getByText("Ann").waitFor();

    await screenshot(ann, "editor-ann");
    await bo.setViewportSize({ width: 390, height: 760 }); // a phone
    await screenshot(bo, "editor-bo-phone");
    assert.deepEqual([...ann.errors, ...bo.errors], []);
    await ann.context().close();
    await bo.context().close();
  });

  test("editors typing through a crash of the document's process end with the server's text", async () => {
    const doc = "crashy";
    await api(server, "POST", "/api/docs", { id: doc, text: "\n" });
    const ann = await newPage(browser);
    const bo = await newPage(browser);
    try {
      await openEditor(ann, server.url, doc, "Ann");
      await openEditor(bo, server.url, doc, "Bo");
      const crashed = await typeThroughCrash(server, doc, ann, bo, () => api(server, "POST", `/api/admin/docs/${doc}/crash`));
      assert.equal(crashed.crashed, true, JSON.stringify(crashed));
      assert.deepEqual([...ann.errors, ...bo.errors], []);
    } finally {
      await ann.context().close();
      await bo.context().close();
    }
  });

  test("a page that loses its connection keeps typing and comes back with its edits applied exactly once", async () => {
    const doc = "offline";
    await api(server, "POST", "/api/docs", { id: doc, text: "start\n" });
    const proxy = await startProxy(server.port);
    const traveller = await newPage(browser);
    const watcher = await newPage(browser);
    try {
      await openEditor(traveller, proxy.url, doc, "Traveller");
      await openEditor(watcher, server.url, doc, "Watcher");
      await traveller.locator(".cm-content").click();
      await traveller.keyboard.press("Control+End");
      await traveller.keyboard.type("online ");
      await converge(server, doc, [traveller, watcher]);

      // An edit reaches the server but its ack never reaches the page; then the line drops.
      proxy.muteDownstream();
      const inFlight = "in-flight ";
      await traveller.keyboard.insertText(inFlight); // one edit: one op in flight
      await until("the server to apply the in-flight edit", async () => (await getDoc(server, doc)).text.includes(inFlight));
      assert.ok((await traveller.evaluate(() => window.otter.state().pending)) > 0, "the ack must still be missing");
      proxy.cut();
      await traveller.waitForFunction(() => window.otter.state().connection !== "connected");

      // Typing on while offline: the edits wait, and the page says so.
      const offline = "typed offline 🦦\nsecond offline line";
      await traveller.keyboard.type(offline);
      await traveller.waitForFunction(() => {
        const status = document.querySelector(".status");
        return Number(status?.dataset.pending) > 0 && /edits? pending/.test(status?.textContent ?? "");
      });
      await screenshot(traveller, "editor-offline");
      assert.equal(count((await getDoc(server, doc)).text, offline), 0, "nothing typed offline can reach the server");
      await watcher.keyboard.press("Control+Home"); // the watcher stays online and idle

      // Back online: the page reconnects by itself, resumes, and resends.
      proxy.restore();
      await traveller.waitForFunction(() => window.otter.state().connection === "connected", null, { timeout: 30_000 });
      const text = await converge(server, doc, [traveller, watcher]);
      assert.equal(count(text, inFlight), 1, `the in-flight edit once in ${JSON.stringify(text)}`);
      assert.equal(count(text, offline), 1, `the offline edits once in ${JSON.stringify(text)}`);
      assert.equal(text, "start\nonline " + inFlight + offline);
      await screenshot(traveller, "editor-back-online");
      assert.deepEqual(watcher.errors, []);
    } finally {
      await traveller.context().close();
      await watcher.context().close();
      await proxy.close();
    }
  });
});
