// The evaluation report page's figures (issue 18): size of report.html and the time until it has drawn
// every chart, opened from file:// in headless Chromium (/usr/bin/chromium via playwright-core).
//
//   npx tsx src/cli/main.ts eval --dataset ../shared/data/routerbench/dataset.jsonl \
//     --router random,cheapest,best-single,oracle,knn,task-knn,linear,mlp,matrix-factorization,cluster,ensemble,auto,linucb,thompson,eps-greedy \
//     --report tmp/rb
//   npx tsx benchmarks/report-page.ts --report tmp/rb [--runs 7] [--rerender]
//
// "Opens in" = performance.now() when the page sets <html data-ready> (after uPlot's first draw of both
// charts, the tables made sortable and the decisions browser filled), i.e. from navigation start. Each run
// opens the file in a fresh browser context (no cache); the first run also pays Chromium's warm-up. On a
// shared machine wall time waits for other processes; the CPU time of the page's renderer main thread
// until ready (thread time of its tasks in a Chromium trace) is the load-robust figure.
// --rerender rebuilds report.html from the data embedded in it with the current page code (for measuring
// a page change without re-training every router).
import { readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { loadReportAssets } from "../src/eval/report-assets.js";
import { renderReportHtml } from "../src/eval/report-html.js";
import { reportDataElementId, type ReportPageData } from "../src/eval/report-page-data.js";

const { values } = parseArgs({ options: { report: { type: "string", default: "tmp/rb" }, runs: { type: "string", default: "7" }, rerender: { type: "boolean", default: false } } });
const htmlPath = resolve(join(values.report ?? "tmp/rb", "report.html"));
const runs = Math.max(1, Math.min(50, Number(values.runs)));

if (values.rerender) {
  const html = await readFile(htmlPath, "utf8");
  const open = `id="${reportDataElementId}">`;
  const start = html.indexOf(open) + open.length;
  const data = JSON.parse(html.slice(start, html.indexOf("</script>", start))) as ReportPageData;
  await writeFile(htmlPath, renderReportHtml(data.report, { assets: await loadReportAssets(), ...(data.decisions ? { decisions: data.decisions } : {}) }), "utf8");
}

const bytes = (await stat(htmlPath)).size;
const html = await readFile(htmlPath);
const data = JSON.parse(html.toString("utf8").split(`id="${reportDataElementId}">`)[1]?.split("</script>")[0] ?? "{}") as ReportPageData;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const readyMs: number[] = [];
const cpuMs: number[] = [];
const blankReadyMs: number[] = [];
const blankCpuMs: number[] = [];
// The baseline, interleaved with the report: a page with one paragraph that sets data-ready at once, so
// Chromium's own cost of a navigation on this machine at this moment is visible beside the report's.
const blankPath = resolve(join(values.report ?? "tmp/rb", "blank-baseline.html"));
await writeFile(blankPath, "<!doctype html><html lang=en><title>baseline</title><p>baseline</p><script>document.documentElement.dataset.readyMs = performance.now().toFixed(1); document.documentElement.dataset.ready = 'true';</script></html>\n");
interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  tdur?: number;
  args?: { name?: string; beginData?: { url?: string } };
}
/**
 * CPU time (ms) of the page's renderer main thread while it loaded: the sum of `tdur` (thread time, which
 * excludes time spent waiting for a core) over its top-level tasks in a Chromium trace. Load-robust, unlike
 * wall time on a shared machine. The page's renderer is the process that parsed the file.
 */
const rendererCpuMs = (trace: { traceEvents: TraceEvent[] }, fileUrl: string): number => {
  const pid = trace.traceEvents.find((event) => event.name === "ParseHTML" && event.args?.beginData?.url === fileUrl)?.pid;
  const main = trace.traceEvents.find((event) => event.name === "thread_name" && event.pid === pid && event.args?.name === "CrRendererMain");
  let micros = 0;
  for (const event of trace.traceEvents) if (event.ph === "X" && event.name === "RunTask" && event.pid === pid && event.tid === main?.tid) micros += event.tdur ?? 0;
  return micros / 1000;
};
let problems: string[] = [];
let canvases = 0;
try {
  for (let round = 0; round < runs * 2; round++) {
    const target = round % 2 === 0 ? htmlPath : blankPath;
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const seen: string[] = [];
    page.on("pageerror", (error) => seen.push(`error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error") seen.push(`console: ${message.text()}`);
    });
    page.on("requestfailed", (request) => seen.push(`failed request: ${request.url()}`));
    await browser.startTracing(page, { categories: ["toplevel", "devtools.timeline", "disabled-by-default-devtools.timeline"] });
    await page.goto(pathToFileURL(target).href);
    await page.waitForSelector("html[data-ready=true]", { timeout: 30_000 });
    const cpu = rendererCpuMs(JSON.parse((await browser.stopTracing()).toString("utf8")) as { traceEvents: TraceEvent[] }, pathToFileURL(target).href);
    const ready = Number(await page.getAttribute("html", "data-ready-ms"));
    if (target === htmlPath) {
      cpuMs.push(cpu);
      readyMs.push(ready);
      canvases = await page.locator("figure.chart canvas").count();
    } else {
      blankCpuMs.push(cpu);
      blankReadyMs.push(ready);
    }
    problems = problems.concat(seen);
    await context.close();
  }
} finally {
  await browser.close();
}
const stats = (values: readonly number[]): string => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${(sorted[Math.floor(sorted.length / 2)] ?? NaN).toFixed(0)} ms (min ${sorted[0]?.toFixed(0)}, max ${sorted[sorted.length - 1]?.toFixed(0)})`;
};
const report = data.report;
console.log(`report page: ${htmlPath}`);
console.log(`${report?.dataset}: ${report?.counts.examples} test prompts × ${report?.counts.models} models, ${report?.counts.routers} routers; decisions of ${data.decisions?.router ?? "–"} at ${data.decisions?.points.length ?? 0} operating points`);
console.log("");
console.log("| figure | value | bar |");
console.log("|---|---|---|");
console.log(`| report.html size | ${(bytes / 1e6).toFixed(2)} MB (${bytes} bytes; gzip ${(gzipSync(html).length / 1e6).toFixed(2)} MB) | ≤ 2 MB |`);
console.log(`| opens in (navigation start → every chart drawn), median of ${runs} | ${stats(readyMs)} | ≤ 1 s |`);
console.log(`| same for a one-paragraph page (baseline, interleaved) | ${stats(blankReadyMs)} | – |`);
console.log(`| renderer main-thread CPU time until ready (trace thread time): report page | ${stats(cpuMs)} | – |`);
console.log(`| renderer main-thread CPU time until ready (trace thread time): baseline page | ${stats(blankCpuMs)} | – |`);
console.log(`| charts drawn (uPlot canvases) | ${canvases} | 2 (cost–quality, calibration) |`);
console.log(`| console errors, page errors, failed requests | ${problems.length} | 0 |`);
if (problems.length > 0) console.log(problems.slice(0, 5).join("\n"));
