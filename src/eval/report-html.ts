import { escapeHtml } from "./escape-html.js";
import type { EvaluationReport, RouterReport } from "./evaluation-report.js";
import { formatUsd } from "./format-usd.js";
import { renderCostQualityChart, seriesColors } from "./report-chart.js";

/**
 * The evaluation report as one self-contained HTML page (inline CSS and SVG, no scripts, no network): the
 * cost–quality chart, a "how to read this" paragraph, the metrics table and the single models. Every string
 * from the report is HTML-escaped.
 */
export function renderReportHtml(report: EvaluationReport): string {
  const title = `Switchyard evaluation — ${report.dataset}`;
  const best = report.bestSingle;
  const oracle = report.oracle.point;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
</head>
<body>
<main>
<h1>Routers on <span class="dataset">${escapeHtml(report.dataset)}</span></h1>
<p class="subtitle">Trained on split <b>${escapeHtml(report.trainSplit)}</b>, evaluated on split <b>${escapeHtml(report.testSplit)}</b>: ${report.counts.examples} prompts × ${report.counts.models} models, ${report.counts.routers} routers.
Best single model: <b>${escapeHtml(best.model)}</b> (quality ${fixed(best.meanQuality, 3)} at ${escapeHtml(formatUsd(best.meanCostUsd))} per prompt).
Oracle: quality ${fixed(oracle.meanQuality, 3)} at ${escapeHtml(formatUsd(oracle.meanCostUsd))}.${report.twoModel ? ` Strong model: <b>${escapeHtml(report.twoModel.strong)}</b>, weak: <b>${escapeHtml(report.twoModel.weak)}</b>.` : ""}</p>
<figure>
${renderCostQualityChart(report)}
</figure>
<section class="how-to-read">
<h2>How to read this</h2>
<p>Each dot is one operating point of a router — one willingness-to-pay, knob or threshold setting — placed at the mean true cost per prompt (x, log scale) and the mean true quality (y) of the models it chose on the ${escapeHtml(report.testSplit)} prompts. Up and to the left is better. A router's line is its non-decreasing convex hull: what it can reach by mixing two of its settings at random; it continues flat to the right. The black dots are the single models, the dashed line joins them (RouterBench's <i>zero router</i>: no routing, just mixing models), and the star is the <i>oracle</i> that knows each prompt's best model, with the dotted curve tracing what it achieves on a budget. AIQ averages a line's height over the single models' cost range (${escapeHtml(formatUsd(report.costRangeUsd.min))} to ${escapeHtml(formatUsd(report.costRangeUsd.max))}, counting 0 left of the router's cheapest point); <i>gap recovered</i> is how far a router's AIQ gets from the zero router (0%) to the oracle (100%) — below 0% it does worse than mixing single models. The last columns tell whether it beats the best single model: its quality at that model's cost, and the share of that model's cost it needs to match its quality.${report.twoModel ? " APGR and CPT are RouteLLM's: the average share of the weak-to-strong quality gap recovered over all shares of calls to the strong model (0.5 = random routing), and the least share of strong calls that recovers 50% or 80% of it." : ""}</p>
</section>
<h2>Metrics</h2>
${renderMetricsTable(report)}
<h2>Single models</h2>
${renderSinglesTable(report)}
<p class="footnote">Definitions and sources of every metric: docs/evaluation.md. Report format ${escapeHtml(report.format)}.</p>
</main>
</body>
</html>
`;
}

function renderMetricsTable(report: EvaluationReport): string {
  const twoModel = report.twoModel !== undefined;
  const knobs = report.routers.some((router) => router.knobSpend && router.knobSpend.length > 0);
  const timing = report.routers.some((router) => router.trainMs !== undefined || router.decideMsPerPrompt !== undefined);
  const bestAiq = Math.max(...report.routers.map((router) => router.aiq));
  const head = [
    "Router",
    "AIQ",
    "Gap recovered",
    `Quality at ${escapeHtml(formatUsd(report.bestSingle.meanCostUsd))}`,
    "Cost to match best single (share of its cost)",
    ...(twoModel ? ["APGR", "CPT(50%)", "CPT(80%)"] : []),
    ...(knobs ? ["Spend at knob 0.25 / 0.5 / 0.75 (expected → realised)"] : []),
    ...(timing ? ["Train", "Decide / prompt"] : []),
  ];
  const rows = report.routers.map((router, index) => {
    const color = seriesColors[index % seriesColors.length] as string;
    const cells = [
      `<th scope="row"><span class="swatch" style="background:${color}"></span>${escapeHtml(router.name)}${router.followsObjective ? "" : ' <span class="note">(fixed)</span>'}</th>`,
      `<td${router.aiq === bestAiq ? ' class="best"' : ""}>${fixed(router.aiq, 4)}</td>`,
      `<td>${percent(router.gapRecovered)}</td>`,
      `<td>${router.qualityAtBestSingleCost === null ? '<span class="na" title="the router cannot operate this cheaply">–</span>' : fixed(router.qualityAtBestSingleCost, 4)}</td>`,
      `<td>${router.costFractionToMatchBestSingle === null ? '<span class="na" title="never reaches the best single model\'s quality">never</span>' : percent(router.costFractionToMatchBestSingle)}</td>`,
      ...(twoModel ? [`<td>${nullable(router.apgr, 3)}</td>`, `<td>${percent(router.cpt50 ?? null, 0)}</td>`, `<td>${percent(router.cpt80 ?? null, 0)}</td>`] : []),
      ...(knobs ? [`<td>${knobCell(router)}</td>`] : []),
      ...(timing ? [`<td>${router.trainMs === undefined ? "–" : duration(router.trainMs)}</td>`, `<td>${router.decideMsPerPrompt === undefined ? "–" : duration(router.decideMsPerPrompt)}</td>`] : []),
    ];
    return `<tr>${cells.join("")}</tr>`;
  });
  const blank = head.length - 3;
  rows.push(`<tr class="reference"><th scope="row">zero router</th><td>${fixed(report.zeroRouter.aiq, 4)}</td><td>0%</td>${"<td></td>".repeat(blank)}</tr>`);
  rows.push(`<tr class="reference"><th scope="row">oracle</th><td>${fixed(report.oracle.aiq, 4)}</td><td>100%</td>${"<td></td>".repeat(blank)}</tr>`);
  return `<table class="metrics"><thead><tr>${head.map((cell) => `<th scope="col">${cell}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function renderSinglesTable(report: EvaluationReport): string {
  const rows = [...report.singles]
    .sort((a, b) => a.meanCostUsd - b.meanCostUsd)
    .map((single) => {
      const best = single.model === report.bestSingle.model ? ' <span class="note">(best single)</span>' : "";
      return `<tr><th scope="row">${escapeHtml(single.model)}${best}</th><td>${escapeHtml(formatUsd(single.meanCostUsd))}</td><td>${fixed(single.meanQuality, 4)}</td></tr>`;
    });
  return `<table class="singles"><thead><tr><th scope="col">Model</th><th scope="col">Mean cost per prompt</th><th scope="col">Mean quality</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function knobCell(router: RouterReport): string {
  if (!router.knobSpend || router.knobSpend.length === 0) return "–";
  return router.knobSpend.map((spend) => `${escapeHtml(formatUsd(spend.expectedSpendUsd))} → ${escapeHtml(formatUsd(spend.realisedSpendUsd))}`).join("<br>");
}

function duration(ms: number): string {
  if (!Number.isFinite(ms)) return "–";
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  return `${ms >= 10 ? ms.toFixed(0) : ms.toPrecision(2)} ms`;
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

function nullable(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? "–" : fixed(value, digits);
}

function percent(value: number | null, digits = 1): string {
  return value === null ? "–" : `${fixed(value * 100, digits)}%`;
}

const css = `
body { margin: 0; background: #f6f6f8; color: #1d1d22; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 8px; }
.subtitle { color: #444; margin: 0 0 16px; }
figure { margin: 0; background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 8px; overflow-x: auto; }
svg.chart { display: block; max-width: 100%; height: auto; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
svg .tick { font-size: 11.5px; fill: #555; }
svg .axis-title { font-size: 13px; fill: #333; }
svg .single-label { font-size: 11px; fill: #222; paint-order: stroke; stroke: #fcfcfd; stroke-width: 3px; }
svg .legend-label { font-size: 12.5px; fill: #222; }
svg .range-label { font-size: 10.5px; fill: #788; }
.how-to-read p { max-width: 920px; color: #333; }
table { border-collapse: collapse; background: #fff; border: 1px solid #ddd; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 10px; border-bottom: 1px solid #eee; text-align: right; vertical-align: top; white-space: nowrap; }
thead th { white-space: normal; }
thead th { background: #f0f0f4; font-weight: 600; font-size: 13px; }
tbody th { text-align: left; font-weight: 600; white-space: nowrap; }
td.best { font-weight: 700; color: #1a5fb4; }
tr.reference th, tr.reference td { color: #666; font-weight: 400; background: #fafafa; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.note, .na { color: #888; font-weight: 400; }
.footnote { color: #777; font-size: 13px; margin-top: 24px; }
`;
