import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { EvaluationReport } from "./evaluation-report.js";
import { renderReportHtml } from "./report-html.js";
import { reportToJson } from "./report-json.js";

/** Writes `report.json` and `report.html` into `dir` (created if needed); resolves to their paths. */
export async function writeReport(report: EvaluationReport, dir: string): Promise<{ jsonPath: string; htmlPath: string }> {
  await mkdir(dir, { recursive: true });
  const jsonPath = join(dir, "report.json");
  const htmlPath = join(dir, "report.html");
  await writeFile(jsonPath, reportToJson(report), "utf8");
  await writeFile(htmlPath, renderReportHtml(report), "utf8");
  return { jsonPath, htmlPath };
}
