import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EvaluationReport } from "./evaluation-report.js";
import { loadReportAssets } from "./report-assets.js";
import type { ReportDecisions } from "./report-decisions.js";
import { renderReportHtml } from "./report-html.js";
import { reportToJson } from "./report-json.js";

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  /** One router's per-prompt decisions for the page's decisions browser (`reportDecisions`). */
  decisions?: ReportDecisions;
}

/**
 * Writes `report.json` and `report.html` (self-contained: its script, uPlot and the data inline) into `dir`
 * (created if needed); resolves to their paths.
 */
export async function writeReport(report: EvaluationReport, dir: string, options: WriteReportOptions = {}): Promise<{ jsonPath: string; htmlPath: string }> {
  const json = reportToJson(report);
  const assets = await loadReportAssets();
  await mkdir(dir, { recursive: true });
  const jsonPath = join(dir, "report.json");
  const htmlPath = join(dir, "report.html");
  await writeFile(jsonPath, json, "utf8");
  await writeFile(htmlPath, renderReportHtml(report, { assets, ...(options.decisions ? { decisions: options.decisions } : {}) }), "utf8");
  return { jsonPath, htmlPath };
}
