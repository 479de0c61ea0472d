import { expectedSpendForKnob } from "../core/knob-calibration.js";
import type { EvaluationInput, RouterPredictions } from "./evaluation-input.js";
import { evaluationReportFormat, type EvaluationReport, type KnobSpendReport, type RouterReport, type SingleModelReport } from "./evaluation-report.js";
import { nonDecreasingConvexHull, type CostQualityPoint } from "./hull.js";
import { aiq, averagePerformanceGapRecovered, callPerformanceThreshold, costToMatch, gapRecovered, qualityAtCost } from "./metrics.js";
import { oracleCurve, oraclePoint } from "./oracle.js";
import { singleModelOutcome } from "./outcome-matrix.js";
import { taskBreakdown } from "./task-breakdown.js";
import { createSweepContext, knobGrid, sweepRouters, type OperatingPoint, type RouterSweep, type SweepContext } from "./sweep.js";

/** Knobs at which expected and realised spend are compared. */
export const reportedKnobs: readonly number[] = [0.25, 0.5, 0.75];

/**
 * Turns routers' predictions on the test set plus the true outcomes into every metric of
 * docs/evaluation.md: RouterBench's hull, AIQ and zero router (Hu et al., 2024), the oracle, gap recovered,
 * quality at and cost to match the best single model, RouteLLM's APGR and CPT on two-model sets
 * (Ong et al., 2024), and expected vs realised spend at knob points.
 *
 * @example
 * const report = evaluate({ dataset: "routerbench", trainSplit: "train", testSplit: "test", models, examples, routers });
 * await writeReport(report, "out/");
 */
export function evaluate(input: EvaluationInput): EvaluationReport {
  return evaluateWithSweeps(input).report;
}

/**
 * {@link evaluate}, also returning the sweeps (per-point choices) that `decisionRows` turns into the decisions
 * file and the sweep context (true outcomes) that `reportDecisions` reads.
 */
export function evaluateWithSweeps(input: EvaluationInput): { report: EvaluationReport; sweeps: RouterSweep[]; context: SweepContext } {
  const context = createSweepContext(input);
  const sweeps = sweepRouters(input, context);
  return { report: buildReport(input, sweeps, context), sweeps, context };
}

/** Builds the report from already computed sweeps (`sweeps[i]` belongs to `input.routers[i]`). */
export function buildReport(input: EvaluationInput, sweeps: readonly RouterSweep[], context: SweepContext): EvaluationReport {
  const { truth, pair } = context;
  const singles: SingleModelReport[] = input.models.map((model, index) => ({ model, ...singleModelOutcome(index, truth) }));
  const costs = singles.map((single) => single.meanCostUsd);
  const cMin = Math.min(...costs);
  const cMax = Math.max(...costs);
  const bestSingle = singles.reduce((best, single) =>
    single.meanQuality > best.meanQuality || (single.meanQuality === best.meanQuality && single.meanCostUsd < best.meanCostUsd) ? single : best,
  );
  const zeroHull = nonDecreasingConvexHull(singles.map(toCostQuality));
  const zeroAiq = aiq(zeroHull, cMin, cMax);
  const oracleHull = oracleCurve(truth);
  const oracleAiq = aiq(oracleHull, cMin, cMax);
  const strong = pair ? (singles[pair.strong] as SingleModelReport) : undefined;
  const weak = pair ? (singles[pair.weak] as SingleModelReport) : undefined;

  const routers = input.routers.map((router, index): RouterReport => {
    const sweep = sweeps[index] as RouterSweep;
    const hull = nonDecreasingConvexHull(sweep.points.map(toCostQuality));
    const routerAiq = aiq(hull, cMin, cMax);
    const costToMatchBest = costToMatch(hull, bestSingle.meanQuality);
    const report: RouterReport = {
      name: router.name,
      followsObjective: router.followsObjective,
      points: sweep.points,
      hull,
      aiq: routerAiq,
      gapRecovered: gapRecovered(routerAiq, zeroAiq, oracleAiq),
      qualityAtBestSingleCost: qualityAtCost(hull, bestSingle.meanCostUsd),
      costFractionToMatchBestSingle: costToMatchBest === null || !(bestSingle.meanCostUsd > 0) ? null : costToMatchBest / bestSingle.meanCostUsd,
    };
    if (strong && weak) {
      const pgrPoints = sweep.points
        .filter((point) => !router.followsObjective || point.kind === "strong-percentile")
        .map((point) => ({ strongShare: point.strongShare ?? 0, quality: point.meanQuality }));
      report.apgr = averagePerformanceGapRecovered(pgrPoints, weak.meanQuality, strong.meanQuality);
      report.cpt50 = callPerformanceThreshold(pgrPoints, weak.meanQuality, strong.meanQuality, 0.5);
      report.cpt80 = callPerformanceThreshold(pgrPoints, weak.meanQuality, strong.meanQuality, 0.8);
    }
    const knobSpend = knobSpendOf(router, sweep.points, reportedKnobs);
    if (knobSpend) report.knobSpend = knobSpend;
    const knobCurve = knobSpendOf(router, sweep.points, knobGrid);
    if (knobCurve) report.knobCurve = knobCurve;
    if (router.trainMs !== undefined) report.trainMs = router.trainMs;
    if (router.decideMsPerPrompt !== undefined) report.decideMsPerPrompt = router.decideMsPerPrompt;
    return report;
  });

  const report: EvaluationReport = {
    format: evaluationReportFormat,
    dataset: input.dataset,
    trainSplit: input.trainSplit,
    testSplit: input.testSplit,
    counts: { examples: input.examples.length, models: input.models.length, routers: input.routers.length },
    models: [...input.models],
    costRangeUsd: { min: cMin, max: cMax },
    singles,
    bestSingle,
    zeroRouter: { hull: zeroHull, aiq: zeroAiq },
    oracle: { point: oraclePoint(truth), hull: oracleHull, aiq: oracleAiq },
    routers,
  };
  if (strong && weak) {
    report.twoModel = {
      strong: strong.model,
      weak: weak.model,
      strongQuality: strong.meanQuality,
      weakQuality: weak.meanQuality,
      pgrPoints: "strong=x% points of routers that follow the objective; the single fixed point of those that do not",
    };
  }
  if (input.examples.some((example) => example.task !== undefined)) report.tasks = taskBreakdown(input, sweeps, context);
  return report;
}

function knobSpendOf(router: RouterPredictions, points: readonly OperatingPoint[], knobs: readonly number[]): KnobSpendReport[] | undefined {
  const calibration = router.calibration;
  if (!calibration || !router.followsObjective) return undefined;
  return knobs.flatMap((knob) => {
    const point = points.find((candidate) => candidate.kind === "knob" && candidate.knob === knob);
    if (!point) return [];
    return [{ knob, willingnessToPay: point.willingnessToPay ?? 0, expectedSpendUsd: expectedSpendForKnob(calibration, knob), realisedSpendUsd: point.meanCostUsd }];
  });
}

function toCostQuality(point: { meanCostUsd: number; meanQuality: number }): CostQualityPoint {
  return { costUsd: point.meanCostUsd, quality: point.meanQuality };
}
