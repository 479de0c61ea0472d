import { escapeHtml } from "./escape-html.js";
import type { EvaluationReport } from "./evaluation-report.js";
import { formatUsd } from "./format-usd.js";
import type { CostQualityPoint } from "./hull.js";

/** Colours of the router series, in report order (Tableau 10, colour-blind aware). */
export const seriesColors: readonly string[] = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#9c755f", "#ff9da7", "#edc948", "#bab0ac"];

/** Size of the chart. */
export interface CostQualityChartOptions {
  widthPx?: number;
  heightPx?: number;
}

interface Scale {
  x(costUsd: number): number;
  y(quality: number): number;
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** log10 of the cost at the left and right edges. */
  logLow: number;
  logHigh: number;
  /** Quality at the bottom and top edges. */
  qLow: number;
  qHigh: number;
}

const legendWidthPx = 230;

/**
 * The report's cost–quality chart as a self-contained inline SVG: log-scale cost on x (USD per prompt),
 * mean quality on y; each router's non-decreasing hull as a line over its operating points (flat extension
 * to the right drawn faint), single models as labelled black dots, the zero router's hull dashed, the oracle
 * as a star on its dotted curve, and a legend. Every series is a `<g class="series" data-kind data-series>`:
 * one per router (`data-kind="router"`, `data-series` = its name), then kinds `zero-router`, `oracle` and
 * `single-models`.
 */
export function renderCostQualityChart(report: EvaluationReport, options: CostQualityChartOptions = {}): string {
  const width = options.widthPx ?? 1000;
  const height = options.heightPx ?? 560;
  const scale = createScale(report, width, height);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Cost versus quality of every router on ${escapeHtml(report.dataset)}">`);
  parts.push(`<defs><clipPath id="plot-area"><rect x="${scale.left}" y="${scale.top - 6}" width="${scale.right - scale.left}" height="${scale.bottom - scale.top + 12}"/></clipPath></defs>`);
  parts.push(renderAxes(report, scale));
  const legend: Array<{ label: string; swatch: string }> = [];
  report.routers.forEach((router, index) => {
    const color = seriesColors[index % seriesColors.length] as string;
    const dots = router.points
      .map((point) => `<circle class="point" cx="${fmt(scale.x(point.meanCostUsd))}" cy="${fmt(scale.y(point.meanQuality))}" r="2.6" fill="${color}" fill-opacity="0.45"><title>${escapeHtml(`${router.name} ${point.label}: ${formatUsd(point.meanCostUsd)}, quality ${point.meanQuality.toFixed(4)}`)}</title></circle>`)
      .join("");
    // A one-point router (best-single) would hide under its model's dot: draw it as a ring around it.
    const vertices = router.hull
      .map((point) =>
        router.hull.length === 1
          ? `<circle cx="${fmt(scale.x(point.costUsd))}" cy="${fmt(scale.y(point.quality))}" r="8" fill="none" stroke="${color}" stroke-width="2.4"/>`
          : `<circle cx="${fmt(scale.x(point.costUsd))}" cy="${fmt(scale.y(point.quality))}" r="3.4" fill="${color}"/>`,
      )
      .join("");
    parts.push(
      `<g class="series" data-kind="router" data-series="${escapeHtml(router.name)}">${hullPaths(router.hull, scale, `stroke="${color}" stroke-width="2.4"`)}${dots}${vertices}</g>`,
    );
    legend.push({ label: router.name, swatch: `<line x1="0" y1="0" x2="22" y2="0" stroke="${color}" stroke-width="2.4"/><circle cx="11" cy="0" r="3.4" fill="${color}"/>` });
  });
  parts.push(`<g class="series" data-kind="zero-router" data-series="zero router">${hullPaths(report.zeroRouter.hull, scale, `stroke="#555" stroke-width="1.6" stroke-dasharray="6 4"`)}</g>`);
  legend.push({ label: "zero router (mixing models)", swatch: `<line x1="0" y1="0" x2="22" y2="0" stroke="#555" stroke-width="1.6" stroke-dasharray="6 4"/>` });
  const oracle = report.oracle.point;
  parts.push(
    `<g class="series" data-kind="oracle" data-series="oracle"><path d="${linePath(report.oracle.hull, scale)}" fill="none" stroke="#b8860b" stroke-width="1.3" stroke-dasharray="1.5 3" clip-path="url(#plot-area)"/>` +
      `<path d="${starPath(scale.x(oracle.meanCostUsd), scale.y(oracle.meanQuality), 8)}" fill="#f2c14e" stroke="#8a6d00" stroke-width="1"><title>${escapeHtml(`oracle: ${formatUsd(oracle.meanCostUsd)}, quality ${oracle.meanQuality.toFixed(4)}`)}</title></path></g>`,
  );
  legend.push({ label: "oracle and its curve", swatch: `<line x1="0" y1="0" x2="22" y2="0" stroke="#b8860b" stroke-width="1.3" stroke-dasharray="1.5 3"/><path d="${starPath(11, 0, 6)}" fill="#f2c14e" stroke="#8a6d00"/>` });
  parts.push(`<g class="series" data-kind="single-models" data-series="single models">${renderSingles(report, scale)}</g>`);
  legend.push({ label: "single model", swatch: `<circle cx="11" cy="0" r="4.5" fill="#222"/>` });
  parts.push(renderLegend(legend, width - legendWidthPx + 16, scale.top + 4));
  parts.push("</svg>");
  return parts.join("\n");
}

function createScale(report: EvaluationReport, width: number, height: number): Scale {
  const points: CostQualityPoint[] = [
    ...report.singles.map((single) => ({ costUsd: single.meanCostUsd, quality: single.meanQuality })),
    { costUsd: report.oracle.point.meanCostUsd, quality: report.oracle.point.meanQuality },
    ...report.oracle.hull,
    ...report.routers.flatMap((router) => router.points.map((point) => ({ costUsd: point.meanCostUsd, quality: point.meanQuality }))),
  ];
  const costs = points.map((point) => point.costUsd).filter((cost) => cost > 0);
  let logLow = Math.log10(costs.length > 0 ? Math.min(...costs) : 1e-6);
  let logHigh = Math.log10(costs.length > 0 ? Math.max(...costs) : 1e-3);
  if (logHigh - logLow < 0.5) [logLow, logHigh] = [(logLow + logHigh) / 2 - 0.25, (logLow + logHigh) / 2 + 0.25];
  const padX = (logHigh - logLow) * 0.04;
  logLow -= padX;
  logHigh += padX;
  const qualities = points.map((point) => point.quality);
  let qLow = Math.min(...qualities);
  let qHigh = Math.max(...qualities);
  if (qHigh - qLow < 0.02) [qLow, qHigh] = [qLow - 0.01, qHigh + 0.01];
  const padY = (qHigh - qLow) * 0.06;
  qLow -= padY;
  qHigh += padY;
  const left = 76;
  const right = width - legendWidthPx;
  const top = 24;
  const bottom = height - 58;
  const minCost = Math.pow(10, logLow);
  return {
    left,
    right,
    top,
    bottom,
    logLow,
    logHigh,
    qLow,
    qHigh,
    x: (costUsd) => left + ((Math.log10(Math.max(costUsd, minCost)) - logLow) / (logHigh - logLow)) * (right - left),
    y: (quality) => top + (1 - (quality - qLow) / (qHigh - qLow)) * (bottom - top),
  };
}

function renderAxes(report: EvaluationReport, scale: Scale): string {
  const parts: string[] = [`<rect x="${scale.left}" y="${scale.top}" width="${scale.right - scale.left}" height="${scale.bottom - scale.top}" fill="#fcfcfd" stroke="#ccc"/>`];
  const { logLow, logHigh, qLow, qHigh } = scale;
  const decades = logHigh - logLow;
  const multipliers = decades <= 1.5 ? [1, 2, 3, 5] : decades <= 2.5 ? [1, 2, 5] : decades <= 5 ? [1, 3] : [1];
  for (let exponent = Math.floor(logLow); exponent <= Math.ceil(logHigh); exponent++) {
    for (let minor = 1; minor <= 9; minor++) {
      const cost = minor * Math.pow(10, exponent);
      const log = Math.log10(cost);
      if (log < logLow || log > logHigh) continue;
      const x = fmt(scale.x(cost));
      const labelled = multipliers.includes(minor);
      parts.push(`<line x1="${x}" y1="${scale.top}" x2="${x}" y2="${scale.bottom}" stroke="${labelled ? "#e3e3e8" : "#f1f1f4"}"/>`);
      if (labelled) {
        parts.push(`<line x1="${x}" y1="${scale.bottom}" x2="${x}" y2="${scale.bottom + 5}" stroke="#888"/>`);
        parts.push(`<text x="${x}" y="${scale.bottom + 19}" text-anchor="middle" class="tick">${escapeHtml(formatUsd(Number(cost.toPrecision(1))))}</text>`);
      }
    }
  }
  const step = niceStep((qHigh - qLow) / 7);
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  for (let tick = Math.ceil(qLow / step) * step; tick <= qHigh + 1e-12; tick += step) {
    const y = fmt(scale.y(tick));
    parts.push(`<line x1="${scale.left}" y1="${y}" x2="${scale.right}" y2="${y}" stroke="#e3e3e8"/>`);
    parts.push(`<text x="${scale.left - 8}" y="${y}" dy="0.32em" text-anchor="end" class="tick">${tick.toFixed(decimals)}</text>`);
  }
  for (const [cost, name] of [
    [report.costRangeUsd.min, "AIQ from"],
    [report.costRangeUsd.max, "AIQ to"],
  ] as const) {
    const x = fmt(scale.x(cost));
    parts.push(`<line x1="${x}" y1="${scale.top}" x2="${x}" y2="${scale.bottom}" stroke="#9aa" stroke-dasharray="2 3"/>`);
    parts.push(`<text x="${x}" y="${scale.top - 6}" text-anchor="middle" class="range-label">${name}</text>`);
  }
  parts.push(`<text x="${(scale.left + scale.right) / 2}" y="${scale.bottom + 44}" text-anchor="middle" class="axis-title">mean cost per prompt (USD, log scale)</text>`);
  parts.push(`<text transform="translate(18 ${(scale.top + scale.bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis-title">mean quality (${escapeHtml(report.testSplit)} split)</text>`);
  return parts.join("");
}

function renderSingles(report: EvaluationReport, scale: Scale): string {
  const placed: Array<{ x0: number; y0: number; x1: number; y1: number }> = [];
  const singles = [...report.singles].sort((a, b) => b.meanQuality - a.meanQuality);
  return singles
    .map((single) => {
      const cx = scale.x(single.meanCostUsd);
      const cy = scale.y(single.meanQuality);
      const textWidth = single.model.length * 6.4;
      const candidates = [
        { x: cx + 7, y: cy + 4, anchor: "start" },
        { x: cx - 7, y: cy + 4, anchor: "end" },
        { x: cx + 7, y: cy + 16, anchor: "start" },
        { x: cx + 7, y: cy - 8, anchor: "start" },
        { x: cx - 7, y: cy + 16, anchor: "end" },
        { x: cx - 7, y: cy - 8, anchor: "end" },
        { x: cx + 7, y: cy + 28, anchor: "start" },
        { x: cx + 7, y: cy - 20, anchor: "start" },
      ];
      const boxOf = (c: { x: number; y: number; anchor: string }) => {
        const x0 = c.anchor === "start" ? c.x : c.x - textWidth;
        return { x0, y0: c.y - 10, x1: x0 + textWidth, y1: c.y + 2 };
      };
      const fits = (c: { x: number; y: number; anchor: string }) => {
        const box = boxOf(c);
        return box.x1 <= scale.right && box.x0 >= scale.left && !placed.some((other) => box.x0 < other.x1 && other.x0 < box.x1 && box.y0 < other.y1 && other.y0 < box.y1);
      };
      const choice = candidates.find(fits) ?? (candidates[0] as { x: number; y: number; anchor: string });
      placed.push(boxOf(choice));
      const title = `${single.model}: ${formatUsd(single.meanCostUsd)}, quality ${single.meanQuality.toFixed(4)}`;
      return `<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="4.5" fill="#222"><title>${escapeHtml(title)}</title></circle><text x="${fmt(choice.x)}" y="${fmt(choice.y)}" text-anchor="${choice.anchor}" class="single-label">${escapeHtml(single.model)}</text>`;
    })
    .join("");
}

function renderLegend(entries: ReadonlyArray<{ label: string; swatch: string }>, x: number, y: number): string {
  const rows = entries.map((entry, index) => `<g transform="translate(0 ${index * 22})"><g transform="translate(0 0)">${entry.swatch}</g><text x="30" y="0" dy="0.32em" class="legend-label">${escapeHtml(entry.label)}</text></g>`);
  return `<g class="legend" transform="translate(${x} ${y + 8})">${rows.join("")}</g>`;
}

/** The hull through its points, then a faint flat extension to the right edge (AIQ counts it). */
function hullPaths(hull: readonly CostQualityPoint[], scale: Scale, stroke: string): string {
  const last = hull[hull.length - 1];
  if (!last) return "";
  const y = fmt(scale.y(last.quality));
  const extension = `<path d="M${fmt(scale.x(last.costUsd))},${y}H${scale.right}" fill="none" ${stroke} stroke-opacity="0.35" clip-path="url(#plot-area)"/>`;
  return `<path d="${linePath(hull, scale)}" fill="none" ${stroke} stroke-linejoin="round" clip-path="url(#plot-area)"/>${extension}`;
}

/** An SVG path through the points, skipping points closer than half a pixel to the last one kept. */
function linePath(points: readonly CostQualityPoint[], scale: Scale): string {
  const commands: string[] = [];
  let lastX = -Infinity;
  let lastY = -Infinity;
  points.forEach((point, index) => {
    const x = scale.x(point.costUsd);
    const y = scale.y(point.quality);
    if (index !== points.length - 1 && Math.hypot(x - lastX, y - lastY) < 0.5) return;
    commands.push(`${commands.length === 0 ? "M" : "L"}${fmt(x)},${fmt(y)}`);
    lastX = x;
    lastY = y;
  });
  return commands.join("");
}

function starPath(cx: number, cy: number, radius: number): string {
  const corners: string[] = [];
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? radius : radius * 0.45;
    const angle = -Math.PI / 2 + (k * Math.PI) / 5;
    corners.push(`${fmt(cx + r * Math.cos(angle))},${fmt(cy + r * Math.sin(angle))}`);
  }
  return `M${corners.join("L")}Z`;
}

function niceStep(rough: number): number {
  const power = Math.pow(10, Math.floor(Math.log10(rough)));
  const fraction = rough / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

function fmt(value: number): string {
  return (Math.round(value * 10) / 10).toString();
}
