// Support for the browser tests: a real otterd on a free port, Debian's chromium through
// playwright-core, a TCP proxy that can cut a page's connection, and small REST helpers.
//
//   const server = await startOtterd();            // built if needed; stop() at the end
//   const browser = await launchChromium();
//   const proxy = await startProxy(server.port);   // proxy.cut(), proxy.restore()
//
// No sleeps as synchronisation: every wait is for a condition (a log line, a page state),
// bounded by a timeout.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

export const frontendDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const repoDir = resolve(frontendDir, "..");
export const artifactsDir = join(frontendDir, "test-artifacts");

// ------------------------------------------------------------------ otterd

/** The otterd binary: $OTTERD_BINARY, else a release or debug build, else build/frontend (built now). */
export function otterdBinary() {
  if (process.env.OTTERD_BINARY) return resolve(process.env.OTTERD_BINARY);
  for (const dir of ["build/frontend", "build/release", "build/debug"]) {
    const candidate = join(repoDir, dir, "otterd/otterd");
    if (existsSync(candidate)) return candidate;
  }
  const buildDir = join(repoDir, "build/frontend");
  const jobs = process.env.OTTER_JOBS ?? "2";
  execFileSync("cmake", ["--preset", "release", "-B", buildDir], { cwd: repoDir, stdio: "inherit" });
  execFileSync("cmake", ["--build", buildDir, "-j", jobs, "--target", "otterd"], { cwd: repoDir, stdio: "inherit" });
  return join(buildDir, "otterd/otterd");
}

/**
 * Starts otterd with --listen 127.0.0.1:0 --port-file and a temp data dir, serving
 * frontend/dist, with the admin hooks on. Resolves once it logs that it is listening.
 */
export async function startOtterd({ timeoutMs = 60_000 } = {}) {
  const binary = otterdBinary();
  const dir = await mkdtemp(join(tmpdir(), "otter-browser-"));
  const config = join(dir, "otter.yaml");
  await writeFile(config, `server:\n  static_dir: ${JSON.stringify(join(frontendDir, "dist"))}\n`);
  const portFile = join(dir, "port");
  const child = spawn(
    binary,
    ["--config", config, "--listen", "127.0.0.1:0", "--port-file", portFile, "--data-dir", join(dir, "data"), "--dev"],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const exited = new Promise((resolveExit) => child.on("exit", (code, signal) => resolveExit({ code, signal })));
  const listening = new Promise((resolveListening, reject) => {
    const timer = setTimeout(() => reject(new Error(`otterd did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      output += chunk.toString();
      if (output.includes("listening on http://")) {
        clearTimeout(timer);
        resolveListening();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`otterd exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  await listening;
  const port = Number.parseInt((await readFile(portFile, "utf8")).trim(), 10);
  const url = `http://127.0.0.1:${port}`;
  return {
    port,
    url,
    dir,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      if (!process.env.OTTER_KEEP_TEST_DIRS) await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For a describe block: a real otterd and chromium, started before its tests and stopped
 * after them. Returns an object whose `server` and `browser` are set once they run.
 */
export function otterdAndChromium() {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startOtterd();
    env.browser = await launchChromium();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

// ------------------------------------------------------------------ REST

export async function api(server, method, path, body) {
  const response = await fetch(server.url + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export const getDoc = (server, id) => api(server, "GET", `/api/docs/${encodeURIComponent(id)}`);

// ------------------------------------------------------------------ chromium

// The flags of the environment notes: no sandbox (root), no GPU, and nothing that reaches
// out to the network (this machine's network is closed).
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Debian's chromium, headless; playwright gives every launch a fresh, empty user-data-dir. */
export async function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_BINARY ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_FLAGS,
  });
}

/** A page in its own context (own storage), with console errors collected. */
export async function newPage(browser, viewport = { width: 1200, height: 760 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.errors = errors;
  return page;
}

/** Opens /d/<doc> as `name` and waits until the text has arrived and the socket is up. */
export async function openEditor(page, baseUrl, doc, name) {
  await page.goto(`${baseUrl}/d/${encodeURIComponent(doc)}?name=${encodeURIComponent(name)}`);
  await page.waitForFunction(() => {
    const s = window.otter?.state();
    return s && s.phase === "open" && s.connection === "connected";
  });
}

/** Waits until the page has nothing pending and its revision is `revision` (the server's head). */
export async function waitSynced(page, revision, timeout = 15_000) {
  await page.waitForFunction(
    (rev) => {
      const s = window.otter.state();
      return s.connection === "connected" && s.pending === 0 && s.synchronized && (rev === undefined || s.revision === rev);
    },
    revision,
    { timeout },
  );
}

export const pageText = (page) => page.evaluate(() => window.otter.text());

/** How often `part` occurs in `text`. */
export const count = (text, part) => text.split(part).length - 1;

/** Polls `check` (async) until it returns a truthy value; fails after `timeoutMs`. */
export async function until(what, check, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until every page holds the server's final text and revision; returns that text. */
export async function converge(server, doc, pages) {
  for (const page of pages) await waitSynced(page);
  const head = await getDoc(server, doc);
  for (const page of pages) await waitSynced(page, head.revision);
  for (const page of pages) assert.equal(await pageText(page), head.text, "a page's text differs from the server's");
  return head.text;
}

/**
 * Two editors type into `doc` at once — `ann` at the start, `bo` at the end, three words
 * each, emoji included — and `crash()` (async) runs right after Bo's first word. Both must
 * then end with the server's text, every word exactly once. Returns what `crash()` returned.
 */
export async function typeThroughCrash(server, doc, ann, bo, crash) {
  await ann.locator(".cm-content").click();
  await ann.keyboard.press("Control+Home");
  await bo.locator(".cm-content").click();
  await bo.keyboard.press("Control+End");
  const annWords = ["ann-one ", "ann-two 🦦 ", "ann-three "];
  const boWords = ["bo-one ", "bo-two 😀 ", "bo-three "];
  let crashed;
  await Promise.all([
    (async () => {
      for (const w of annWords) await ann.keyboard.type(w, { delay: 10 });
    })(),
    (async () => {
      await bo.keyboard.type(boWords[0], { delay: 10 });
      crashed = await crash();
      for (const w of boWords.slice(1)) await bo.keyboard.type(w, { delay: 10 });
    })(),
  ]);
  const text = await converge(server, doc, [ann, bo]);
  assert.equal(count(text, annWords.join("")), 1, JSON.stringify(text));
  assert.equal(count(text, boWords.join("")), 1, JSON.stringify(text));
  return crashed;
}

/** Pastes text into the focused editor as a real paste event (what Ctrl+V delivers). */
export async function paste(page, text) {
  await page.evaluate((t) => {
    const data = new DataTransfer();
    data.setData("text/plain", t);
    const target = document.activeElement ?? document.querySelector(".cm-content");
    target.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, text);
}

export async function screenshot(page, name) {
  await mkdir(artifactsDir, { recursive: true });
  const path = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// ------------------------------------------------------------------ a proxy that can cut connections

/**
 * A TCP proxy from a free port to 127.0.0.1:`targetPort`.
 * - cut():      destroys every connection and refuses new ones (each is closed at once)
 * - restore():  accepts and forwards again
 * - muteDownstream(): keeps forwarding client → server but swallows server → client bytes
 *   (an op reaches the server, its ack never reaches the page); cut() ends it.
 */
export async function startProxy(targetPort) {
  let mode = "open";
  const pairs = new Set();
  const server = net.createServer((client) => {
    if (mode === "down") {
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair = { client, upstream };
    pairs.add(pair);
    const close = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on("data", (d) => upstream.write(d));
    upstream.on("data", (d) => {
      if (mode === "open") client.write(d);
    });
    client.on("close", close);
    upstream.on("close", close);
    client.on("error", close);
    upstream.on("error", close);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const port = server.address().port;
  return {
    url: `http://127.0.0.1:${port}`,
    cut() {
      mode = "down";
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    muteDownstream() {
      mode = "muted";
    },
    restore() {
      mode = "open";
    },
    close: () =>
      new Promise((r) => {
        for (const { client, upstream } of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => r());
      }),
  };
}
