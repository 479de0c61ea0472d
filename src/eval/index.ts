/** The evaluation yardstick: predictions + ground truth → operating points, metrics, reports, decisions. */
export type { EvaluationInput, RouterPredictions } from "./evaluation-input.js";
export type { EvaluationReport, KnobSpendReport, RouterReport, SingleModelReport, TaskReport, TaskRouterReport } from "./evaluation-report.js";
export { evaluationReportFormat } from "./evaluation-report.js";
export { buildReport, evaluate, evaluateWithSweeps, reportedKnobs } from "./evaluate.js";
export { createSweepContext, knobGrid, pickByObjective, pickByQuality, sweepRouter, sweepRouters } from "./sweep.js";
export type { OperatingPoint, OperatingPointKind, RouterSweep, SweepContext } from "./sweep.js";
export { willingnessToPayGrid, willingnessToPayLabel } from "./willingness-to-pay-grid.js";
export type { WillingnessToPayGridOptions } from "./willingness-to-pay-grid.js";
export { nonDecreasingConvexHull } from "./hull.js";
export type { CostQualityPoint } from "./hull.js";
export {
  aiq,
  averagePerformanceGapRecovered,
  callPerformanceThreshold,
  costToMatch,
  gapRecovered,
  performanceGapRecovered,
  pgrCurve,
  qualityAtCost,
} from "./metrics.js";
export type { StrongSharePoint } from "./metrics.js";
export { oracleChoices, oracleCurve, oraclePoint } from "./oracle.js";
export { meanOutcomeOf, outcomeMatrix, singleModelOutcome } from "./outcome-matrix.js";
export type { MeanOutcome, OutcomeMatrix } from "./outcome-matrix.js";
export { strongWeakPair } from "./strong-weak-pair.js";
export type { StrongWeakPair } from "./strong-weak-pair.js";
export { createDecisionsWriter, decisionRows, writeDecisions } from "./decisions-file.js";
export type { DecisionRow, DecisionsWriter } from "./decisions-file.js";
export { renderReportHtml } from "./report-html.js";
export { renderCostQualityChart } from "./report-chart.js";
export { reportToJson } from "./report-json.js";
export { writeReport } from "./write-report.js";
export type { WriteReportOptions } from "./write-report.js";
export { reportDecisions } from "./report-decisions.js";
export type { ReportDecisionPoint, ReportDecisionPrompt, ReportDecisions, ReportDecisionsOptions } from "./report-decisions.js";
export { taskBreakdown } from "./task-breakdown.js";
export { loadReportAssets } from "./report-assets.js";
export type { ReportAssets } from "./report-assets.js";
export type { ReportHtmlOptions } from "./report-html.js";
export { formatG } from "./format-g.js";
export { formatUsd } from "./format-usd.js";
