import type { EvaluationInput } from "./evaluation-input.js";
import type { TaskReport, TaskRouterReport } from "./evaluation-report.js";
import { nonDecreasingConvexHull } from "./hull.js";
import { aiq, costToMatch, gapRecovered, qualityAtCost } from "./metrics.js";
import { oracleCurve, oraclePoint } from "./oracle.js";
import { meanOutcomeOf, singleModelOutcome, type OutcomeMatrix } from "./outcome-matrix.js";
import type { RouterSweep, SweepContext } from "./sweep.js";

/** Task name of examples that carry none. */
export const untaskedLabel = "(no task)";

/**
 * The evaluation repeated on each task's prompts alone: every router's operating points are re-averaged
 * over that task's examples (the choices stay those of the whole sweep: a router does not know the task's
 * cost range), then the task's own single models, zero router, oracle and best single model give its AIQ,
 * gap recovered, quality at the task's best-single cost and cost share to match it — the same definitions
 * as the whole report (docs/evaluation.md), on a subset. Tasks in order of first appearance.
 */
export function taskBreakdown(input: EvaluationInput, sweeps: readonly RouterSweep[], context: SweepContext): TaskReport[] {
  const byTask = new Map<string, number[]>();
  input.examples.forEach((example, index) => {
    const task = example.task ?? untaskedLabel;
    const indices = byTask.get(task);
    if (indices) indices.push(index);
    else byTask.set(task, [index]);
  });
  return [...byTask].map(([task, indices]) => taskReportOf(task, indices, sweeps, context.truth));
}

function taskReportOf(task: string, indices: readonly number[], sweeps: readonly RouterSweep[], truth: OutcomeMatrix): TaskReport {
  const subset: OutcomeMatrix = {
    models: truth.models,
    quality: indices.map((i) => truth.quality[i] as Float64Array),
    costUsd: indices.map((i) => truth.costUsd[i] as Float64Array),
  };
  const singles = truth.models.map((model, index) => ({ model, ...singleModelOutcome(index, subset) }));
  const costs = singles.map((single) => single.meanCostUsd);
  const cMin = Math.min(...costs);
  const cMax = Math.max(...costs);
  const bestSingle = singles.reduce((best, single) =>
    single.meanQuality > best.meanQuality || (single.meanQuality === best.meanQuality && single.meanCostUsd < best.meanCostUsd) ? single : best,
  );
  const zeroAiq = aiq(nonDecreasingConvexHull(singles.map(toCostQuality)), cMin, cMax);
  const oracleAiq = aiq(oracleCurve(subset), cMin, cMax);
  const routers = sweeps.map((sweep): TaskRouterReport => {
    const points = sweep.choices.map((choices) => meanOutcomeOf(Int32Array.from(indices, (i) => choices[i] ?? 0), subset));
    const hull = nonDecreasingConvexHull(points.map(toCostQuality));
    const routerAiq = aiq(hull, cMin, cMax);
    const cost = costToMatch(hull, bestSingle.meanQuality);
    return {
      name: sweep.name,
      aiq: routerAiq,
      gapRecovered: gapRecovered(routerAiq, zeroAiq, oracleAiq),
      qualityAtBestSingleCost: qualityAtCost(hull, bestSingle.meanCostUsd),
      costFractionToMatchBestSingle: cost === null || !(bestSingle.meanCostUsd > 0) ? null : cost / bestSingle.meanCostUsd,
    };
  });
  return { task, examples: indices.length, singles, bestSingle, zeroRouterAiq: zeroAiq, oracle: { point: oraclePoint(subset), aiq: oracleAiq }, routers };
}

function toCostQuality(point: { meanCostUsd: number; meanQuality: number }): { costUsd: number; quality: number } {
  return { costUsd: point.meanCostUsd, quality: point.meanQuality };
}
