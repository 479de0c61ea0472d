import { escapeHtml } from "./escape-html.js";
import type { EvaluationReport, RouterReport, TaskReport } from "./evaluation-report.js";
import { formatUsd } from "./format-usd.js";
import { seriesColors } from "./report-chart.js";

// The report page's tables, rendered on the server so they read without JavaScript. Numeric cells carry
// their exact value in `data-value` (the page's script sorts by it; tests compare it with report.json).

/** The metrics table: one row per router, then the zero router and the oracle. */
export function renderMetricsTable(report: EvaluationReport): string {
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
      `<th scope="row" data-router="${escapeHtml(router.name)}"><span class="swatch" style="background:${color}"></span>${escapeHtml(router.name)}${router.followsObjective ? "" : ' <span class="note">(fixed)</span>'}</th>`,
      numberCell(router.aiq, fixed(router.aiq, 4), router.aiq === bestAiq ? "best" : undefined, "aiq"),
      numberCell(router.gapRecovered, percent(router.gapRecovered), undefined, "gap-recovered"),
      numberCell(router.qualityAtBestSingleCost, router.qualityAtBestSingleCost === null ? '<span class="na" title="the router cannot operate this cheaply">–</span>' : fixed(router.qualityAtBestSingleCost, 4), undefined, "quality-at-best-single-cost"),
      numberCell(router.costFractionToMatchBestSingle, router.costFractionToMatchBestSingle === null ? '<span class="na" title="never reaches the best single model\'s quality">never</span>' : percent(router.costFractionToMatchBestSingle), undefined, "cost-to-match"),
      ...(twoModel ? [numberCell(router.apgr ?? null, nullable(router.apgr, 3)), numberCell(router.cpt50 ?? null, percent(router.cpt50 ?? null, 0)), numberCell(router.cpt80 ?? null, percent(router.cpt80 ?? null, 0))] : []),
      ...(knobs ? [numberCell(router.knobSpend?.find((spend) => spend.knob === 0.5)?.realisedSpendUsd ?? null, knobCell(router))] : []),
      ...(timing ? [numberCell(router.trainMs ?? null, router.trainMs === undefined ? "–" : duration(router.trainMs)), numberCell(router.decideMsPerPrompt ?? null, router.decideMsPerPrompt === undefined ? "–" : duration(router.decideMsPerPrompt))] : []),
    ];
    return `<tr>${cells.join("")}</tr>`;
  });
  const blank = head.length - 3;
  rows.push(`<tr class="reference"><th scope="row">zero router</th>${numberCell(report.zeroRouter.aiq, fixed(report.zeroRouter.aiq, 4))}<td>0%</td>${"<td></td>".repeat(blank)}</tr>`);
  rows.push(`<tr class="reference"><th scope="row">oracle</th>${numberCell(report.oracle.aiq, fixed(report.oracle.aiq, 4))}<td>100%</td>${"<td></td>".repeat(blank)}</tr>`);
  return table("metrics", head, rows, "Every router's metrics on the test split");
}

/** The single models, cheapest first. */
export function renderSinglesTable(report: EvaluationReport): string {
  const rows = [...report.singles]
    .sort((a, b) => a.meanCostUsd - b.meanCostUsd)
    .map((single) => {
      const best = single.model === report.bestSingle.model ? ' <span class="note">(best single)</span>' : "";
      return `<tr><th scope="row">${escapeHtml(single.model)}${best}</th>${numberCell(single.meanCostUsd, escapeHtml(formatUsd(single.meanCostUsd)))}${numberCell(single.meanQuality, fixed(single.meanQuality, 4))}</tr>`;
    });
  return table("singles", ["Model", "Mean cost per prompt", "Mean quality"], rows, "Every single model on the test split");
}

/** Per task, every router (rows `data-task`), then the zero router and the oracle of that task. */
export function renderTaskRoutersTable(tasks: readonly TaskReport[]): string {
  const rows = tasks.flatMap((task) => [
    ...task.routers.map(
      (router) =>
        `<tr data-task="${escapeHtml(task.task)}"><td>${escapeHtml(task.task)}</td><th scope="row">${escapeHtml(router.name)}</th>${numberCell(task.examples, String(task.examples))}` +
        numberCell(router.aiq, fixed(router.aiq, 4), undefined, "aiq") +
        numberCell(router.gapRecovered, percent(router.gapRecovered), undefined, "gap-recovered") +
        numberCell(router.qualityAtBestSingleCost, nullable(router.qualityAtBestSingleCost, 4), undefined, "quality-at-best-single-cost") +
        numberCell(router.costFractionToMatchBestSingle, router.costFractionToMatchBestSingle === null ? "never" : percent(router.costFractionToMatchBestSingle), undefined, "cost-to-match") +
        `<td>${escapeHtml(task.bestSingle.model)}</td></tr>`,
    ),
    `<tr data-task="${escapeHtml(task.task)}" class="reference-row"><td>${escapeHtml(task.task)}</td><th scope="row">zero router</th>${numberCell(task.examples, String(task.examples))}${numberCell(task.zeroRouterAiq, fixed(task.zeroRouterAiq, 4))}<td>0%</td><td></td><td></td><td>${escapeHtml(task.bestSingle.model)}</td></tr>`,
    `<tr data-task="${escapeHtml(task.task)}" class="reference-row"><td>${escapeHtml(task.task)}</td><th scope="row">oracle</th>${numberCell(task.examples, String(task.examples))}${numberCell(task.oracle.aiq, fixed(task.oracle.aiq, 4))}<td>100%</td><td></td><td></td><td>${escapeHtml(task.bestSingle.model)}</td></tr>`,
  ]);
  const head = ["Task", "Router", "Prompts", "AIQ", "Gap recovered", "Quality at the task's best-single cost", "Cost to match the task's best single", "Task's best single model"];
  return table("task-routers", head, rows, "Every router's metrics on each task's prompts alone");
}

/** Per task, every single model's mean quality and cost. */
export function renderTaskSinglesTable(tasks: readonly TaskReport[]): string {
  const rows = tasks.flatMap((task) =>
    task.singles.map(
      (single) =>
        `<tr data-task="${escapeHtml(task.task)}"><td>${escapeHtml(task.task)}</td><th scope="row">${escapeHtml(single.model)}${single.model === task.bestSingle.model ? ' <span class="note">(best on task)</span>' : ""}</th>${numberCell(single.meanQuality, fixed(single.meanQuality, 4))}${numberCell(single.meanCostUsd, escapeHtml(formatUsd(single.meanCostUsd)))}</tr>`,
    ),
  );
  return table("task-singles", ["Task", "Model", "Mean quality", "Mean cost per prompt"], rows, "Every single model on each task's prompts");
}

/** Requested (expected) and realised spend at every knob of every calibrated router. */
export function renderCalibrationTable(report: EvaluationReport): string {
  const rows = report.routers.flatMap((router) =>
    (router.knobCurve ?? [])
      .filter((knob) => [0, 0.25, 0.5, 0.75, 1].includes(knob.knob))
      .map(
        (knob) =>
          `<tr><th scope="row">${escapeHtml(router.name)}</th>${numberCell(knob.knob, String(knob.knob))}${numberCell(knob.willingnessToPay, knob.willingnessToPay.toPrecision(3))}${numberCell(knob.expectedSpendUsd, escapeHtml(formatUsd(knob.expectedSpendUsd)))}${numberCell(knob.realisedSpendUsd, escapeHtml(formatUsd(knob.realisedSpendUsd)))}${numberCell(knob.expectedSpendUsd > 0 ? knob.realisedSpendUsd / knob.expectedSpendUsd : null, knob.expectedSpendUsd > 0 ? `${(knob.realisedSpendUsd / knob.expectedSpendUsd).toFixed(2)}×` : "–")}</tr>`,
      ),
  );
  if (rows.length === 0) return '<p class="note">No router in this evaluation has a knob calibration.</p>';
  return table("calibration", ["Router", "Knob", "Willingness-to-pay (USD per unit of quality)", "Requested spend per prompt", "Realised spend per prompt", "Realised ÷ requested"], rows, "Requested and realised spend at knobs 0, 0.25, 0.5, 0.75 and 1");
}

function table(className: string, head: readonly string[], rows: readonly string[], caption: string): string {
  return `<div class="table-wrap"><table class="${className} sortable"><caption>${escapeHtml(caption)}</caption><thead><tr>${head.map((cell) => `<th scope="col">${cell}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`;
}

function numberCell(value: number | null | undefined, html: string, className?: string, metric?: string): string {
  const data = value === null || value === undefined || !Number.isFinite(value) ? "" : String(value);
  return `<td data-value="${data}"${metric ? ` data-metric="${metric}"` : ""}${className ? ` class="${className}"` : ""}>${html}</td>`;
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
