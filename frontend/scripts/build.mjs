// Builds the frontend with esbuild.
//   node scripts/build.mjs            the web app into dist/ (served by otterd)
//   node scripts/build.mjs --tests    also the unit tests into build/tests/unit/ (node --test runs them)
//   node scripts/build.mjs --dev      unminified, for reading in the browser
import { build } from "esbuild";
import { cp, mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = new Set(process.argv.slice(2));
const dev = args.has("--dev");

async function buildApp() {
  const dist = join(root, "dist");
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  await build({
    entryPoints: [join(root, "src/pages/main.ts")],
    outfile: join(dist, "app.js"),
    bundle: true,
    format: "esm",
    platform: "browser",
    target: ["es2022"],
    minify: !dev,
    sourcemap: true,
    legalComments: "linked",
    logLevel: "warning",
  });
  await cp(join(root, "public"), dist, { recursive: true });
}

async function buildTests() {
  const dir = join(root, "tests/unit");
  const out = join(root, "build/tests/unit");
  await rm(out, { recursive: true, force: true });
  const entries = (await readdir(dir)).filter((f) => f.endsWith(".test.ts")).map((f) => join(dir, f));
  await build({
    entryPoints: entries,
    outdir: out,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    format: "esm",
    platform: "node",
    target: ["node20"],
    packages: "external",
    sourcemap: "inline",
    logLevel: "warning",
  });
}

if (args.has("--tests")) await buildTests();
if (!args.has("--tests") || args.has("--app")) await buildApp();
