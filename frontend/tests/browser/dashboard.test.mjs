// Browser test of the live dashboard against a real otterd in --dev mode (Debian's chromium
// through playwright-core): a newly opened document shows up within a second; crashing it
// from the dashboard while two editors type shows the restart (restarts 1, a new pid, a
// "restarted" event) and both editors end with the server's text. Screenshots (laptop,
// phone) go to frontend/test-artifacts/. The page's details: dashboard_page.test.mjs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { newPage, openEditor, otterdAndChromium, screenshot, typeThroughCrash } from "./support.mjs";

describe("the dashboard against a real otterd", () => {
  const env = otterdAndChromium();

  test("shows a new document within a second, and its restart when crashed from it while two editors type", async () => {
    const { server, browser } = env;
    const doc = "watched";
    const dashboard = await newPage(browser);
    const ann = await newPage(browser);
    const bo = await newPage(browser);
    try {
      await dashboard.goto(`${server.url}/dashboard`);
      await dashboard.waitForFunction(() => window.otter?.state().snapshots > 0);
      assert.equal(await dashboard.evaluate(() => window.otter.state().admin), true, "--dev makes every connection an admin");

      // The row appears within a second of the editor page's navigation (browser clock, set
      // by a MutationObserver installed before the editor opens).
      const rowSelector = `tr[data-doc="${doc}"]`;
      const appeared = dashboard.evaluate(
        (selector) =>
          new Promise((resolve) => {
            const seen = () => document.querySelector(selector) !== null;
            if (seen()) return resolve(Date.now());
            const observer = new MutationObserver(() => {
              if (!seen()) return;
              observer.disconnect();
              resolve(Date.now());
            });
            observer.observe(document.body, { childList: true, subtree: true });
          }),
        rowSelector,
      );
      appeared.catch(() => {}); // if the race below is lost, the page closes under it
      // When the editor sends its `open`, on the browser's clock (the same machine clock).
      await ann.addInitScript(() => {
        const send = WebSocket.prototype.send;
        WebSocket.prototype.send = function (data) {
          if (window.openSentAt === undefined && String(data).includes('"type":"open"')) window.openSentAt = Date.now();
          return send.call(this, data);
        };
      });
      const navigationStart = Date.now();
      await openEditor(ann, server.url, doc, "Ann");
      const openSentAt = await ann.evaluate(() => window.openSentAt);
      const appearedAt = await Promise.race([
        appeared,
        new Promise((_, reject) => setTimeout(() => reject(new Error("the new document never appeared on the dashboard")), 5_000)),
      ]);
      const latency = appearedAt - openSentAt;
      console.log(
        `dashboard: the new document shown ${latency} ms after the editor opened it ` +
          `(${appearedAt - navigationStart} ms after the editor page started loading)`,
      );
      assert.ok(latency <= 1000, `the dashboard showed the new document ${latency} ms after the editor opened it`);

      // Two editors; the dashboard lists both people.
      await openEditor(bo, server.url, doc, "Bo");
      const row = dashboard.locator(rowSelector);
      await row.getByRole("list", { name: /^2 people: Ann, Bo$/ }).waitFor();
      const pidBefore = await row.getAttribute("data-pid");
      assert.equal(await row.getAttribute("data-restarts"), "0");
      assert.equal(await dashboard.locator(`[role="treeitem"][data-doc="${doc}"]`).getAttribute("data-pid"), pidBefore);

      // Both type; the dashboard's Crash button crashes the document's process meanwhile.
      // Both editors end with the server's text, every word once.
      await typeThroughCrash(server, doc, ann, bo, () => dashboard.getByRole("button", { name: `Crash ${doc}` }).click());

      // The dashboard shows the restart: restarts 1, a new pid in the row and the tree, an event.
      await dashboard.locator(`${rowSelector}[data-restarts="1"]`).waitFor({ timeout: 10_000 });
      const pidAfter = await row.getAttribute("data-pid");
      assert.notEqual(pidAfter, pidBefore, "the restarted process has a new pid");
      await dashboard.locator(`[role="treeitem"][data-doc="${doc}"][data-pid="${pidAfter}"]`).waitFor();
      await dashboard.getByRole("log").locator(`li[data-kind="restarted"][data-doc="${doc}"]`).waitFor();
      assert.ok(Number(await dashboard.locator('[data-total="restarts"] .stat-value').textContent()) >= 1);

      await screenshot(dashboard, "dashboard");
      await dashboard.setViewportSize({ width: 390, height: 844 }); // a phone
      await screenshot(dashboard, "dashboard-phone");
      assert.deepEqual([...dashboard.errors, ...ann.errors, ...bo.errors], []);
    } finally {
      await dashboard.context().close();
      await ann.context().close();
      await bo.context().close();
    }
  });
});
