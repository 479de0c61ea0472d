import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SwitchyardError } from "../core/errors.js";

/** What report.html inlines: its script (the page's code with uPlot bundled in) and uPlot's stylesheet. */
export interface ReportAssets {
  script: string;
  css: string;
}

let cached: Promise<ReportAssets> | undefined;

/**
 * The report page's assets. An installed package reads the script `npm run build:report` bundled beside
 * this module (`dist/eval/report-client.js`); a source checkout (no bundle there) bundles
 * `src/eval/report-client/main.ts` with esbuild, a devDependency, on first use. uPlot's CSS is read from its
 * package. Loaded once per process.
 */
export function loadReportAssets(): Promise<ReportAssets> {
  cached ??= load().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

async function load(): Promise<ReportAssets> {
  const here = dirname(fileURLToPath(import.meta.url));
  const require = createRequire(import.meta.url);
  const css = await readFile(require.resolve("uplot/dist/uPlot.min.css"), "utf8");
  const built = join(here, "report-client.js");
  if (existsSync(built)) return { script: await readFile(built, "utf8"), css };
  const source = join(here, "report-client", "main.ts");
  if (!existsSync(source)) throw new SwitchyardError("internal_error", `report page script missing: neither ${built} nor ${source} exists (run npm run build:report)`);
  const esbuild = await import("esbuild");
  const result = await esbuild.build({ ...reportClientBuildOptions, entryPoints: [source], write: false });
  return { script: result.outputFiles[0]?.text ?? "", css };
}

/** esbuild options of the on-demand bundle; `npm run build:report` (package.json) passes the same flags. */
export const reportClientBuildOptions = { bundle: true, minify: true, format: "iife", target: "es2020", legalComments: "none", logLevel: "silent" } as const;
