import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { escapeHtml } from "../eval/escape-html.js";
import { seriesColors } from "../eval/report-chart.js";
import type { SimulationResult } from "./simulate.js";

function formatNumber(value: number, digits = 4): string {
  return Number.isFinite(value) ? Number(value.toPrecision(digits)).toString() : "–";
}

/** The summary table (Markdown): one row per router. */
export function simulationTable(result: SimulationResult): string {
  const lines = [
    `Scenario ${result.scenario.name}${result.scenario.model ? ` (model ${result.scenario.model} from step ${result.scenario.fromStep}${result.scenario.anchors > 0 ? `, added to the bandits with its outcomes on ${result.scenario.anchors} anchor prompts costing ${formatNumber(result.scenario.anchorCostUsd)} USD` : ""})` : ""}; ${result.dataset.historyPrompts} history prompts, ${result.dataset.streamedSteps} streamed steps; seed ${result.seed}; willingness-to-pay ${formatNumber(result.willingnessToPay)} USD per unit of quality${result.budgetUsd !== undefined ? `; budget ${formatNumber(result.budgetUsd)} USD` : ""}${result.pacedToKnob ? `; online routers paced to the knob's calibrated spend, ${formatNumber(result.knobSpendUsd)} USD per step` : ""}; best fixed model in hindsight: ${result.bestFixedModel}.`,
    "",
    "| router | mean reward | mean cost (USD) | total cost (USD) | refused | regret vs best fixed | regret vs " + result.referenceRouter + " | decision p99 (ms) | update p99 (ms) |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const run of result.routers) {
    lines.push(
      `| ${run.router} | ${run.meanReward.toFixed(4)} | ${formatNumber(run.meanCostUsd)} | ${formatNumber(run.totalCostUsd)} | ${run.refused} | ${formatNumber(run.regretVsBestFixed.at(-1) ?? 0)} | ${formatNumber(run.regretVsOffline.at(-1) ?? 0)} | ${run.decisionMs.p99.toFixed(3)} | ${run.updateMs.count > 0 ? run.updateMs.p99.toFixed(3) : "–"} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

interface Series {
  name: string;
  points: Array<[number, number]>;
}

/** A self-contained SVG line chart. */
function lineChart(title: string, yLabel: string, series: readonly Series[], marker?: number): string {
  const width = 640;
  const height = 300;
  const left = 70;
  const right = 170;
  const top = 30;
  const bottom = 40;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const xMin = Math.min(0, ...xs);
  const xMax = Math.max(1, ...xs);
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  if (!(yMax > yMin)) {
    yMin -= 1;
    yMax += 1;
  }
  const px = (x: number) => left + ((x - xMin) / (xMax - xMin)) * (width - left - right);
  const py = (y: number) => height - bottom - ((y - yMin) / (yMax - yMin)) * (height - top - bottom);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`, `<text x="${left}" y="18" font-size="14" font-weight="bold">${escapeHtml(title)}</text>`];
  parts.push(`<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#333"/><line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#333"/>`);
  for (let i = 0; i <= 4; i++) {
    const y = yMin + ((yMax - yMin) * i) / 4;
    parts.push(`<text x="${left - 6}" y="${py(y) + 4}" font-size="10" text-anchor="end">${escapeHtml(formatNumber(y, 3))}</text>`);
    const x = xMin + ((xMax - xMin) * i) / 4;
    parts.push(`<text x="${px(x)}" y="${height - bottom + 14}" font-size="10" text-anchor="middle">${Math.round(x)}</text>`);
  }
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 6}" font-size="11" text-anchor="middle">step</text>`);
  parts.push(`<text x="14" y="${(top + height - bottom) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 14 ${(top + height - bottom) / 2})">${escapeHtml(yLabel)}</text>`);
  if (marker !== undefined && marker > 0) parts.push(`<line x1="${px(marker)}" y1="${top}" x2="${px(marker)}" y2="${height - bottom}" stroke="#999" stroke-dasharray="4 3"/>`);
  series.forEach((s, i) => {
    const color = seriesColors[i % seriesColors.length]!;
    const path = s.points.map((p, k) => `${k === 0 ? "M" : "L"}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(" ");
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<rect x="${width - right + 10}" y="${top + i * 16}" width="10" height="10" fill="${color}"/><text x="${width - right + 24}" y="${top + i * 16 + 9}" font-size="11">${escapeHtml(s.name)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("");
}

/** The HTML report: reward and cost per window, cumulative regrets, and the scenario model's share. */
export function simulationHtml(result: SimulationResult): string {
  const windowEnd = (i: number) => Math.min(result.dataset.streamedSteps, (i + 1) * result.windowSize);
  const perWindow = (pick: (run: SimulationResult["routers"][number], i: number) => number): Series[] =>
    result.routers.map((run) => ({ name: run.router, points: run.windows.map((_, i) => [windowEnd(i), pick(run, i)] as [number, number]) }));
  const marker = result.scenario.name === "stationary" ? undefined : result.scenario.fromStep;
  const charts = [
    lineChart(`Mean reward per ${result.windowSize}-step window`, "mean reward", perWindow((run, i) => run.windows[i]!.meanReward), marker),
    lineChart(`Mean cost per ${result.windowSize}-step window`, "USD per request", perWindow((run, i) => run.windows[i]!.meanCostUsd), marker),
    lineChart(`Cumulative regret vs the best fixed model (${result.bestFixedModel})`, "wtp × reward − cost", perWindow((run, i) => run.regretVsBestFixed[i] ?? 0), marker),
    lineChart(`Cumulative regret vs ${result.referenceRouter}`, "wtp × reward − cost", perWindow((run, i) => run.regretVsOffline[i] ?? 0), marker),
  ];
  if (result.scenario.model) charts.push(lineChart(`Traffic share of ${result.scenario.model}`, "share", perWindow((run, i) => run.windows[i]!.share[result.scenario.model!] ?? 0), marker));
  const table = simulationTable(result)
    .split("\n")
    .filter((line) => line.startsWith("|") && !line.startsWith("|---"))
    .map((line, i) => `<tr>${line.slice(1, -1).split("|").map((cell) => (i === 0 ? `<th>${escapeHtml(cell.trim())}</th>` : `<td>${escapeHtml(cell.trim())}</td>`)).join("")}</tr>`)
    .join("\n");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Switchyard simulation: ${escapeHtml(result.scenario.name)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;text-align:right}th{background:#f4f4f4}svg{margin:1em 1em 0 0}</style></head>
<body><h1>Switchyard simulation — ${escapeHtml(result.scenario.name)}</h1><p>${escapeHtml(simulationTable(result).split("\n")[0]!)}</p><table>${table}</table>
${charts.join("\n")}</body></html>
`;
}

/** Writes `report.md`, `report.json` and `report.html` into `directory` (created if needed). */
export async function writeSimulationReport(directory: string, result: SimulationResult): Promise<void> {
  await mkdir(directory, { recursive: true });
  await writeFile(join(directory, "report.md"), simulationTable(result));
  await writeFile(join(directory, "report.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(directory, "report.html"), simulationHtml(result));
}
