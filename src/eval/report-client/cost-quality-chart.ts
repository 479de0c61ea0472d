import uPlot from "uplot";
import type { EvaluationReport } from "../evaluation-report.js";
import { formatUsd } from "../format-usd.js";
import { seriesColors } from "../report-chart.js";
import { alignSeries, chartWidth, decimalTicks, firstDraw, logRange, seriesToggles, usdTicks } from "./chart-helpers.js";

interface Dot {
  series: number;
  label: string;
  costUsd: number;
  quality: number;
}

/**
 * The cost–quality chart with uPlot: each router's hull as a line (its other operating points as faint
 * dots), the zero router dashed, the oracle's curve dotted with its star, the single models as labelled
 * black dots, AIQ's cost range as two dashed verticals; checkboxes toggle series and a readout names the
 * point nearest the pointer.
 */
export function drawCostQualityChart(host: HTMLElement, report: EvaluationReport): Promise<void> {
  const routers = report.routers.map((router, index) => ({ router, color: seriesColors[index % seriesColors.length] ?? "#333" }));
  const lines: Array<ReadonlyArray<readonly [number, number]>> = [
    ...routers.map(({ router }) => router.hull.map((point) => [point.costUsd, point.quality] as const)),
    report.zeroRouter.hull.map((point) => [point.costUsd, point.quality] as const),
    report.oracle.hull.map((point) => [point.costUsd, point.quality] as const),
    report.singles.map((single) => [single.meanCostUsd, single.meanQuality] as const),
  ].map((points) => points.filter(([cost]) => cost > 0));
  const { xs, ys } = alignSeries(lines);
  const dots: Dot[] = [
    ...routers.flatMap(({ router }, index) => router.points.map((point) => ({ series: index + 1, label: `${router.name} ${point.label}`, costUsd: point.meanCostUsd, quality: point.meanQuality }))),
    ...report.singles.map((single) => ({ series: routers.length + 3, label: single.model, costUsd: single.meanCostUsd, quality: single.meanQuality })),
    { series: routers.length + 2, label: "oracle (best model per prompt)", costUsd: report.oracle.point.meanCostUsd, quality: report.oracle.point.meanQuality },
  ].filter((dot) => dot.costUsd > 0);
  const costs = dots.map((dot) => dot.costUsd).concat(xs);
  const qualities = dots.map((dot) => dot.quality).concat(ys.flat().filter((y): y is number => y !== null));
  const [costLow, costHigh] = logRange(Math.min(...costs), Math.max(...costs));
  const spread = Math.max(0.02, Math.max(...qualities) - Math.min(...qualities));
  const [qualityLow, qualityHigh] = [Math.min(...qualities) - spread * 0.06, Math.max(...qualities) + spread * 0.06];
  const { hook, drawn } = firstDraw();
  const chartHost = document.createElement("div");
  const readout = document.createElement("output");
  readout.className = "readout";
  readout.textContent = "Point at a dot to read its cost and quality.";
  host.append(chartHost, readout);
  const series: uPlot.Series[] = [
    {},
    // More routers than colours: the second round of colours is drawn dashed.
    ...routers.map(({ router, color }, index): uPlot.Series => ({ label: router.name, stroke: color, width: 2.2, spanGaps: true, ...(index >= seriesColors.length ? { dash: [7, 3] } : {}), points: { show: true, size: router.hull.length === 1 ? 14 : 6, fill: router.hull.length === 1 ? "transparent" : color, stroke: color, width: 2 } })),
    { label: "zero router (mixing single models)", stroke: "#555", width: 1.5, dash: [6, 4], spanGaps: true, points: { show: false } },
    { label: "oracle and its curve", stroke: "#b8860b", width: 1.4, dash: [2, 3], spanGaps: true, points: { show: false } },
    // Drawn by drawExtras (uPlot draws no points for a series without paths); the series is there to toggle.
    { label: "single models", stroke: "#222", paths: () => null, points: { show: false } },
  ];
  const width = chartWidth(host);
  const plot = new uPlot(
    {
      width,
      height: Math.round(Math.min(560, Math.max(340, width * 0.56))),
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { show: false } },
      scales: { x: { time: false, distr: 3, log: 10, range: () => [costLow, costHigh] }, y: { range: () => [qualityLow, qualityHigh] } },
      axes: [
        { label: "mean cost per prompt (USD, log scale)", values: usdTicks },
        { label: `mean quality (${report.testSplit} split)`, values: decimalTicks },
      ],
      series,
      hooks: {
        draw: [(u) => drawExtras(u, report, dots, routers.length), hook],
        setCursor: [(u) => showNearest(u, dots, readout)],
      },
    },
    [xs, ...ys] as uPlot.AlignedData,
    chartHost,
  );
  const entries = [
    ...routers.map(({ router, color }, index) => ({ label: router.followsObjective ? router.name : `${router.name} (fixed)`, color, dashed: index >= seriesColors.length })),
    { label: "zero router", color: "#555", dashed: true },
    { label: "oracle", color: "#b8860b", dashed: true },
    { label: "single models", color: "#222" },
  ];
  seriesToggles(host, "Series shown", entries, (index, show) => plot.setSeries(index + 1, { show }));
  return drawn;
}

/** Faint dots for every operating point, single-model labels, the oracle's star and AIQ's cost range. */
function drawExtras(u: uPlot, report: EvaluationReport, dots: readonly Dot[], routerCount: number): void {
  const ratio = uPlot.pxRatio;
  const context = u.ctx;
  context.save();
  context.beginPath();
  context.rect(u.bbox.left, u.bbox.top, u.bbox.width, u.bbox.height);
  context.clip();
  context.setLineDash([3 * ratio, 4 * ratio]);
  context.strokeStyle = "#99aaaa";
  context.lineWidth = ratio;
  for (const cost of [report.costRangeUsd.min, report.costRangeUsd.max]) {
    if (!(cost > 0)) continue;
    const x = u.valToPos(cost, "x", true);
    context.beginPath();
    context.moveTo(x, u.bbox.top);
    context.lineTo(x, u.bbox.top + u.bbox.height);
    context.stroke();
  }
  context.setLineDash([]);
  for (const dot of dots) {
    if (dot.series > routerCount || !u.series[dot.series]?.show) continue;
    context.globalAlpha = 0.35;
    context.fillStyle = String(u.series[dot.series]?.stroke ?? "#333");
    context.beginPath();
    context.arc(u.valToPos(dot.costUsd, "x", true), u.valToPos(dot.quality, "y", true), 2.4 * ratio, 0, 2 * Math.PI);
    context.fill();
  }
  context.globalAlpha = 1;
  if (u.series[routerCount + 3]?.show) {
    context.font = `${11 * ratio}px system-ui, sans-serif`;
    context.fillStyle = "#222";
    context.strokeStyle = "#fff";
    context.lineWidth = 3 * ratio;
    for (const single of report.singles) {
      const cx = u.valToPos(single.meanCostUsd, "x", true);
      const cy = u.valToPos(single.meanQuality, "y", true);
      context.strokeText(single.model, cx + 9 * ratio, cy + 4 * ratio);
      context.fillText(single.model, cx + 9 * ratio, cy + 4 * ratio);
    }
    // Dots after every label, so no label's white halo covers a dot.
    for (const single of report.singles) {
      context.beginPath();
      context.arc(u.valToPos(single.meanCostUsd, "x", true), u.valToPos(single.meanQuality, "y", true), 4.5 * ratio, 0, 2 * Math.PI);
      context.fill();
    }
  }
  if (u.series[routerCount + 2]?.show && report.oracle.point.meanCostUsd > 0) {
    star(context, u.valToPos(report.oracle.point.meanCostUsd, "x", true), u.valToPos(report.oracle.point.meanQuality, "y", true), 8 * ratio);
  }
  context.restore();
}

function star(context: CanvasRenderingContext2D, cx: number, cy: number, radius: number): void {
  context.beginPath();
  for (let k = 0; k < 10; k++) {
    const r = k % 2 === 0 ? radius : radius * 0.45;
    const angle = -Math.PI / 2 + (k * Math.PI) / 5;
    context.lineTo(cx + r * Math.cos(angle), cy + r * Math.sin(angle));
  }
  context.closePath();
  context.fillStyle = "#f2c14e";
  context.strokeStyle = "#8a6d00";
  context.lineWidth = 1;
  context.fill();
  context.stroke();
}

function showNearest(u: uPlot, dots: readonly Dot[], readout: HTMLOutputElement): void {
  const { left, top } = u.cursor;
  if (left === undefined || top === undefined || left < 0) return;
  let best: Dot | undefined;
  let bestDistance = 18 * 18;
  for (const dot of dots) {
    if (!u.series[dot.series]?.show) continue;
    const dx = u.valToPos(dot.costUsd, "x") - left;
    const dy = u.valToPos(dot.quality, "y") - top;
    const distance = dx * dx + dy * dy;
    if (distance < bestDistance) [best, bestDistance] = [dot, distance];
  }
  if (best) readout.textContent = `${best.label}: ${formatUsd(best.costUsd)} per prompt, quality ${best.quality.toFixed(4)}`;
}
