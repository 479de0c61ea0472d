import type { EvaluationReport } from "./evaluation-report.js";
import type { ReportDecisions } from "./report-decisions.js";

/** Id of the `<script type="application/json">` element that carries {@link ReportPageData} in report.html. */
export const reportDataElementId = "report-data";

/** What report.html embeds for its script: the report (as report.json holds it) and one router's decisions. */
export interface ReportPageData {
  report: EvaluationReport;
  decisions?: ReportDecisions;
}

/**
 * {@link ReportPageData} as the text of a `<script type="application/json">` element: `<` is written as
 * `\u003c` so no prompt or model name can close the element (`</script>`) or open a comment; JSON.parse
 * reads it back unchanged.
 */
export function reportPageDataJson(data: ReportPageData): string {
  return JSON.stringify(data).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}
