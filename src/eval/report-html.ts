import { escapeHtml } from "./escape-html.js";
import type { EvaluationReport } from "./evaluation-report.js";
import { formatUsd } from "./format-usd.js";
import type { ReportAssets } from "./report-assets.js";
import { renderCostQualityChart } from "./report-chart.js";
import type { ReportDecisions } from "./report-decisions.js";
import { reportDataElementId, reportPageDataJson } from "./report-page-data.js";
import { renderCalibrationTable, renderMetricsTable, renderSinglesTable, renderTaskRoutersTable, renderTaskSinglesTable } from "./report-tables.js";

/** Options of {@link renderReportHtml}. */
export interface ReportHtmlOptions {
  /** The page's script and uPlot's CSS (`loadReportAssets()`); without them the page is static: tables and the SVG chart. */
  assets?: ReportAssets;
  /** One router's per-prompt decisions for the decisions browser (needs `assets`). */
  decisions?: ReportDecisions;
}

/**
 * The evaluation report as one self-contained HTML page: everything inline (CSS, the script with uPlot
 * bundled in, the data as JSON), nothing fetched, so it opens from the file system. Sections: the
 * cost–quality chart (uPlot; the inline SVG chart inside `<noscript>`), how to read it, the knob's
 * calibration, the metrics and single-model tables, the per-task breakdown, and the decisions browser.
 * Every string from the report is HTML-escaped here; the script inserts data as text only.
 */
export function renderReportHtml(report: EvaluationReport, options: ReportHtmlOptions = {}): string {
  const title = `Switchyard evaluation — ${report.dataset}`;
  const best = report.bestSingle;
  const oracle = report.oracle.point;
  const scripted = options.assets !== undefined;
  const decisions = scripted ? options.decisions : undefined;
  const chart = renderCostQualityChart(report);
  const tasks = report.tasks ?? [];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${css}${options.assets?.css ?? ""}</style>
</head>
<body>
<header>
<h1>Routers on <span class="dataset">${escapeHtml(report.dataset)}</span></h1>
<p class="subtitle">Trained on split <b>${escapeHtml(report.trainSplit)}</b>, evaluated on split <b>${escapeHtml(report.testSplit)}</b>: ${report.counts.examples} prompts × ${report.counts.models} models, ${report.counts.routers} routers.
Best single model: <b>${escapeHtml(best.model)}</b> (quality ${fixed(best.meanQuality, 3)} at ${escapeHtml(formatUsd(best.meanCostUsd))} per prompt).
Oracle: quality ${fixed(oracle.meanQuality, 3)} at ${escapeHtml(formatUsd(oracle.meanCostUsd))}.${report.twoModel ? ` Strong model: <b>${escapeHtml(report.twoModel.strong)}</b>, weak: <b>${escapeHtml(report.twoModel.weak)}</b>.` : ""}</p>
<nav aria-label="Sections"><a href="#curves">Cost–quality curves</a> <a href="#calibration">Knob calibration</a> <a href="#metrics">Metrics</a>${tasks.length > 0 ? ' <a href="#tasks">Per task</a>' : ""}${decisions ? ' <a href="#decisions">Decisions</a>' : ""}</nav>
</header>
<main>
<section id="curves" aria-labelledby="curves-title">
<h2 id="curves-title">Cost–quality curves</h2>
${scripted ? `<figure class="chart" id="cost-quality-chart" aria-label="Cost versus quality of every router and single model on ${escapeHtml(report.dataset)}; the numbers are in the tables below"></figure>\n<noscript><figure class="chart">${chart}</figure></noscript>` : `<figure class="chart">${chart}</figure>`}
<details class="how-to-read" open>
<summary>How to read this</summary>
<p>Each faint dot is one operating point of a router — one willingness-to-pay, knob or threshold setting — placed at the mean true cost per prompt (x, log scale) and the mean true quality (y) of the models it chose on the ${escapeHtml(report.testSplit)} prompts. Up and to the left is better. A router's line is its non-decreasing convex hull: what it can reach by mixing two of its settings at random (it continues flat to the right). The black dots are the single models; the dashed line joins them (RouterBench's <i>zero router</i>: no routing, just mixing models); the star is the <i>oracle</i> that knows each prompt's best model, with the dotted curve tracing what it achieves on a budget. The two dashed verticals bound AIQ's range: AIQ averages a line's height over the single models' cost range (${escapeHtml(formatUsd(report.costRangeUsd.min))} to ${escapeHtml(formatUsd(report.costRangeUsd.max))}, counting 0 left of the router's cheapest point); <i>gap recovered</i> is how far a router's AIQ gets from the zero router (0%) to the oracle (100%) — below 0% it does worse than mixing single models. The last columns tell whether it beats the best single model: its quality at that model's cost, and the share of that model's cost it needs to match its quality.${report.twoModel ? " APGR and CPT are RouteLLM's: the average share of the weak-to-strong quality gap recovered over all shares of calls to the strong model (0.5 = random routing), and the least share of strong calls that recovers 50% or 80% of it." : ""}</p>
</details>
</section>
<section id="calibration" aria-labelledby="calibration-title">
<h2 id="calibration-title">Knob calibration: requested vs realised spend</h2>
<p>The knob (<code>quality</code> ∈ [0, 1] per request) maps to a willingness-to-pay through a calibration measured on the training split, so that equal knob steps ask for equal steps of expected spend. Here each calibrated router's 21 knob settings (0, 0.05, …, 1) are placed at the spend they asked for (x) and the spend their choices realised on the ${escapeHtml(report.testSplit)} split (y); on the dashed diagonal the knob keeps its promise.</p>
${scripted && report.routers.some((router) => (router.knobCurve ?? []).length > 0) ? '<figure class="chart" id="calibration-chart" aria-label="Requested versus realised spend at every knob setting of every calibrated router; the numbers are in the table below"></figure>' : ""}
${renderCalibrationTable(report)}
</section>
<section id="metrics" aria-labelledby="metrics-title">
<h2 id="metrics-title">Metrics</h2>
${renderMetricsTable(report)}
<h3>Single models</h3>
${renderSinglesTable(report)}
</section>
${tasks.length > 0 ? renderTaskSection(tasks) : ""}
${decisions ? renderDecisionsSection(decisions) : ""}
<footer class="footnote">Definitions and sources of every metric: docs/evaluation.md. Report format ${escapeHtml(report.format)}; the same numbers are in report.json beside this page.${scripted ? " Charts drawn with uPlot (MIT licence, © Leon Sorokin), inlined." : ""}</footer>
</main>
${scripted ? `<script type="application/json" id="${reportDataElementId}">${reportPageDataJson({ report, ...(decisions ? { decisions } : {}) })}</script>\n<script>${escapeScript(options.assets?.script ?? "")}</script>` : ""}
</body>
</html>
`;
}

function renderTaskSection(tasks: Parameters<typeof renderTaskRoutersTable>[0]): string {
  const options = tasks.map((task) => `<option value="${escapeHtml(task.task)}">${escapeHtml(task.task)} (${task.examples} prompts)</option>`).join("");
  return `<section id="tasks" aria-labelledby="tasks-title">
<h2 id="tasks-title">Per task</h2>
<p>The same metrics on each task's prompts alone: a router's choices are those of the whole evaluation, re-averaged over the task; the zero router, oracle, AIQ range and best single model are the task's own. Click a column title to sort.</p>
<p class="controls"><label for="task-filter">Task</label> <select id="task-filter"><option value="">all tasks</option>${options}</select></p>
${renderTaskRoutersTable(tasks)}
<h3>Single models per task</h3>
${renderTaskSinglesTable(tasks)}
</section>`;
}

function renderDecisionsSection(decisions: ReportDecisions): string {
  return `<section id="decisions" aria-labelledby="decisions-title">
<h2 id="decisions-title">Decisions of <span class="router">${escapeHtml(decisions.router)}</span>, prompt by prompt</h2>
<p>What ${escapeHtml(decisions.router)} chose for each ${decisions.prompts.length === 1 ? "prompt" : `of the ${decisions.prompts.length} test prompts`} at the selected operating point, what that answer scored and cost, and the oracle's pick. Open a prompt to see every model's predicted quality and cost, the objective, and the true outcomes.${decisions.prompts.some((prompt) => prompt.chars > prompt.text.length) ? ` Prompts longer than ${decisions.promptChars} characters are shortened (beginning and end kept).` : ""} Another router: <code>switchyard eval … --report DIR --report-router NAME</code>.</p>
<div class="controls decisions-controls">
<label>Operating point <select id="decisions-point"></select></label>
<label>Task <select id="decisions-task"><option value="">all</option></select></label>
<label>Chosen model <select id="decisions-model"><option value="">any</option></select></label>
<label>Outcome <select id="decisions-outcome"><option value="">all</option><option value="below-oracle">scored below the oracle's pick</option><option value="best-score">scored as well as the oracle's pick</option><option value="overpaid">scored as well, but cost more</option></select></label>
<label>Search <input type="search" id="decisions-search" placeholder="prompt text or id" autocomplete="off"></label>
</div>
<p id="decisions-summary" aria-live="polite"></p>
<div class="table-wrap"><table id="decisions-table"><caption>Decisions on the filtered prompts, 25 per page</caption><thead><tr><th scope="col">Prompt id</th><th scope="col">Task</th><th scope="col">Prompt</th><th scope="col">Chosen model</th><th scope="col">Its score</th><th scope="col">Its cost</th><th scope="col">Oracle's pick (score, cost)</th></tr></thead><tbody></tbody></table></div>
<nav class="pager" aria-label="Decision pages"><button type="button" id="decisions-previous">Previous page</button> <span id="decisions-page" aria-live="polite"></span> <button type="button" id="decisions-next">Next page</button></nav>
</section>`;
}

/** A `</script` inside the bundle would end the element early; `<\/script` means the same to JavaScript. */
function escapeScript(script: string): string {
  return script.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

const css = `
:root { color-scheme: light; }
body { margin: 0; background: #f6f6f8; color: #1d1d22; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header, main { max-width: 1080px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 24px; }
main { padding-bottom: 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 8px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
nav a { margin-right: 14px; color: #1a5fb4; }
.subtitle { color: #444; margin: 0 0 10px; }
figure.chart { margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 8px; overflow-x: auto; min-height: 40px; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .tick { font-size: 11.5px; fill: #555; }
svg .axis-title { font-size: 13px; fill: #333; }
svg .single-label { font-size: 11px; fill: #222; paint-order: stroke; stroke: #fcfcfd; stroke-width: 3px; }
svg .legend-label { font-size: 12.5px; fill: #222; }
svg .range-label { font-size: 10.5px; fill: #788; }
.readout { display: block; min-height: 1.5em; color: #333; font-size: 13px; padding: 4px 4px 0; font-variant-numeric: tabular-nums; }
fieldset.series-toggles { border: 0; margin: 4px 0 0; padding: 4px; display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 13px; }
fieldset.series-toggles legend { font-weight: 600; padding: 0; margin-right: 8px; float: left; }
fieldset.series-toggles label { display: inline-flex; align-items: center; gap: 5px; cursor: pointer; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; background: var(--swatch, #888); }
.swatch.dashed { height: 0; border-top: 2px dashed var(--swatch, #888); background: none; border-radius: 0; width: 16px; }
.how-to-read p { max-width: 920px; color: #333; }
.how-to-read summary { cursor: pointer; font-weight: 600; margin-top: 10px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; background: #fff; border: 1px solid #ddd; font-variant-numeric: tabular-nums; margin: 6px 0; }
caption { text-align: left; color: #555; font-size: 13px; padding: 2px 0 4px; }
th, td { padding: 6px 10px; border-bottom: 1px solid #eee; text-align: right; vertical-align: top; white-space: nowrap; }
thead th { white-space: normal; background: #f0f0f4; font-weight: 600; font-size: 13px; }
tbody th { text-align: left; font-weight: 600; }
table.task-routers td:first-child, table.task-routers td:last-child, table.task-singles td:first-child { text-align: left; }
button.sort { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; color: inherit; cursor: pointer; text-align: inherit; }
button.sort:hover { text-decoration: underline; }
th[aria-sort="ascending"] button.sort::after { content: " ▲"; }
th[aria-sort="descending"] button.sort::after { content: " ▼"; }
:focus-visible { outline: 2px solid #1a5fb4; outline-offset: 2px; }
td.best { font-weight: 700; color: #1a5fb4; }
tr.reference th, tr.reference td, tr.reference-row th, tr.reference-row td { color: #555; font-weight: 400; background: #fafafa; }
.note, .na { color: #666; font-weight: 400; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: center; }
.controls label { font-size: 14px; }
.controls select, .controls input { font: inherit; margin-left: 4px; }
#decisions-table { width: 100%; }
#decisions-table td, #decisions-table th { text-align: left; white-space: normal; }
#decisions-table td.prompt { min-width: 300px; max-width: 460px; }
#decisions-table > tbody > tr > td:nth-child(4), #decisions-table > tbody > tr > td:nth-child(7) { min-width: 150px; overflow-wrap: anywhere; }
#decisions-table td.prompt summary { cursor: pointer; overflow-wrap: anywhere; }
#decisions-table pre { white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f9; padding: 8px; font-size: 12.5px; max-height: 320px; overflow-y: auto; }
#decisions-table tr.missed > td, #decisions-table tr.missed > th { background: #fff6f4; }
table.candidates { font-size: 13px; }
table.candidates tr.chosen th, table.candidates tr.chosen td { background: #eef4ff; font-weight: 600; }
.pager { margin: 8px 0; }
.pager button { font: inherit; padding: 4px 10px; }
.footnote { color: #666; font-size: 13px; margin-top: 28px; display: block; }
`;
