/**
 * Builds the dashboard (`npm run build:ui`, chained in `npm run build`): ui/src bundled by esbuild with
 * Preact and uPlot into dist/ui — one JavaScript file and one stylesheet named by content hash, and
 * index.html naming them. No CDN: the gateway serves these files itself (src/dashboard/ui-assets.ts).
 */
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const outdir = join(root, "dist", "ui");
rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: [join(root, "ui", "src", "main.tsx")],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022"],
  jsx: "automatic",
  jsxImportSource: "preact",
  outdir,
  entryNames: "app-[hash]",
  metafile: true,
  legalComments: "linked",
  logLevel: "warning",
});
const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
const script = outputs.find((name) => name.endsWith(".js"));
const stylesheet = outputs.find((name) => name.endsWith(".css"));
if (script === undefined || stylesheet === undefined) throw new Error(`build-ui: expected one .js and one .css output, got ${outputs.join(", ")}`);
const html = readFileSync(join(root, "ui", "index.html"), "utf8").replace("__JS__", script).replace("__CSS__", stylesheet);
writeFileSync(join(outdir, "index.html"), html);
const sizes = outputs.map((name) => `${name} ${(readFileSync(join(outdir, name)).length / 1024).toFixed(1)} KiB`);
process.stderr.write(`dist/ui: index.html, ${sizes.join(", ")}\n`);
