import { willingnessToPayForKnob } from "../core/knob-calibration.js";
import type { EvaluationInput, RouterPredictions } from "./evaluation-input.js";
import { formatG } from "./format-g.js";
import { meanOutcomeOf, outcomeMatrix, type OutcomeMatrix } from "./outcome-matrix.js";
import { strongWeakPair, type StrongWeakPair } from "./strong-weak-pair.js";
import { validateEvaluationInput, validateRouterPredictions } from "./validate-evaluation-input.js";
import { willingnessToPayGrid, willingnessToPayLabel, type WillingnessToPayGridOptions } from "./willingness-to-pay-grid.js";

/** How an operating point was obtained. */
export type OperatingPointKind = "wtp" | "knob" | "strong-percentile" | "fixed";

/** One operating point of a router: its setting and the mean TRUE cost and quality of its choices there. */
export interface OperatingPoint {
  /** `wtp=0.001`, `knob=0.25`, `strong=40%` or `fixed` (the one point of a router that ignores the objective). */
  label: string;
  kind: OperatingPointKind;
  /** Willingness-to-pay used (USD per unit of quality), for `wtp` and `knob` points. */
  willingnessToPay?: number;
  knob?: number;
  /** Nominal percentage of examples sent to the strong model, for `strong-percentile` points. */
  strongPercent?: number;
  meanCostUsd: number;
  meanQuality: number;
  /** Two-model sets: the realised share of examples sent to the strong model, in [0, 1]. */
  strongShare?: number;
}

/** A router's operating points with, for each, the model index it chose per example (for the decisions file). */
export interface RouterSweep {
  name: string;
  followsObjective: boolean;
  points: OperatingPoint[];
  /** `choices[pointIndex][exampleIndex]` = model index. */
  choices: Int32Array[];
}

/** What every router's sweep shares: the true outcomes, the wtp grid and the strong/weak pair. */
export interface SweepContext {
  truth: OutcomeMatrix;
  willingnessToPay: number[];
  /** Set for two-model sets only. */
  pair: StrongWeakPair | null;
}

/** Knob values with calibration points: 0, 0.05, …, 1. */
export const knobGrid: readonly number[] = Array.from({ length: 21 }, (_, i) => i / 20);

/** Validates the input and builds the shared {@link SweepContext}. */
export function createSweepContext(input: EvaluationInput, options: { grid?: WillingnessToPayGridOptions } = {}): SweepContext {
  validateEvaluationInput(input);
  const truth = outcomeMatrix(input.examples, input.models);
  return { truth, willingnessToPay: willingnessToPayGrid(truth, options.grid), pair: strongWeakPair(truth) };
}

/** Sweeps every router of `input` (see {@link sweepRouter}). */
export function sweepRouters(input: EvaluationInput, context: SweepContext = createSweepContext(input)): RouterSweep[] {
  return input.routers.map((router) => sweepRouter(router, context));
}

/**
 * A router's operating points. A router that follows the objective picks, per example, the argmax of
 * RouterBench's `wtp × q̂ − ĉ` over its predictions (Hu et al., 2024; ties as in `rankByObjective`:
 * cheaper predicted cost, then model id) at every wtp of the grid, then at `willingnessToPayForKnob(k)` for
 * k = 0, 0.05, …, 1 when it has a calibration. On two-model sets it also gets RouteLLM's threshold
 * calibration (Ong et al., 2024): examples ranked by predicted quality gain q̂_strong − q̂_weak (ties → example
 * order), the top x% sent to the strong model, x = 0…100. A router that does not follow the objective has
 * one point, `fixed`: its argmax predicted quality (ties → cheaper predicted cost, then id). Each point's
 * cost and quality are the TRUE means of the chosen models.
 */
export function sweepRouter(router: RouterPredictions, context: SweepContext): RouterSweep {
  const { truth, pair } = context;
  validateRouterPredictions(router, `router "${router.name}"`, truth.quality.length, truth.models.length);
  const points: OperatingPoint[] = [];
  const choices: Int32Array[] = [];
  const add = (setting: Omit<OperatingPoint, "meanCostUsd" | "meanQuality" | "strongShare">, chosen: Int32Array): void => {
    const point: OperatingPoint = { ...setting, ...meanOutcomeOf(chosen, truth) };
    if (pair) point.strongShare = shareOf(chosen, pair.strong);
    points.push(point);
    choices.push(chosen);
  };
  if (!router.followsObjective) {
    add({ label: "fixed", kind: "fixed" }, pickEach(router, (q, c) => pickByQuality(q, c, truth.models)));
    return { name: router.name, followsObjective: false, points, choices };
  }
  for (const wtp of context.willingnessToPay) {
    add({ label: willingnessToPayLabel(wtp), kind: "wtp", willingnessToPay: wtp }, pickEach(router, (q, c) => pickByObjective(q, c, truth.models, wtp)));
  }
  const calibration = router.calibration;
  if (calibration) {
    for (const knob of knobGrid) {
      const wtp = willingnessToPayForKnob(calibration, knob);
      add({ label: `knob=${formatG(knob)}`, kind: "knob", knob, willingnessToPay: wtp }, pickEach(router, (q, c) => pickByObjective(q, c, truth.models, wtp)));
    }
  }
  if (pair) {
    for (const [percent, chosen] of strongPercentileChoices(router, pair)) {
      add({ label: `strong=${percent}%`, kind: "strong-percentile", strongPercent: percent }, chosen);
    }
  }
  return { name: router.name, followsObjective: true, points, choices };
}

/**
 * Index of the argmax of `wtp × quality − cost`, with `rankByObjective`'s tie rules (cheaper cost, then the
 * smaller model id) and its exact arithmetic, so equal objectives tie here exactly as they do there.
 */
export function pickByObjective(quality: Float64Array, costUsd: Float64Array, models: readonly string[], willingnessToPay: number): number {
  let best = 0;
  let bestObjective = willingnessToPay * (quality[0] ?? 0) - (costUsd[0] ?? 0);
  for (let m = 1; m < quality.length; m++) {
    const objective = willingnessToPay * (quality[m] ?? 0) - (costUsd[m] ?? 0);
    if (objective > bestObjective || (objective === bestObjective && isCheaperOrEarlier(m, best, costUsd, models))) {
      best = m;
      bestObjective = objective;
    }
  }
  return best;
}

/** Index of the highest predicted quality; ties → cheaper predicted cost, then the smaller model id. */
export function pickByQuality(quality: Float64Array, costUsd: Float64Array, models: readonly string[]): number {
  let best = 0;
  for (let m = 1; m < quality.length; m++) {
    const q = quality[m] ?? 0;
    const bestQ = quality[best] ?? 0;
    if (q > bestQ || (q === bestQ && isCheaperOrEarlier(m, best, costUsd, models))) best = m;
  }
  return best;
}

function isCheaperOrEarlier(candidate: number, incumbent: number, costUsd: Float64Array, models: readonly string[]): boolean {
  const a = costUsd[candidate] ?? 0;
  const b = costUsd[incumbent] ?? 0;
  if (a !== b) return a < b;
  return (models[candidate] ?? "") < (models[incumbent] ?? "");
}

function pickEach(router: RouterPredictions, pick: (quality: Float64Array, costUsd: Float64Array) => number): Int32Array {
  const chosen = new Int32Array(router.quality.length);
  for (let i = 0; i < chosen.length; i++) {
    chosen[i] = pick(router.quality[i] ?? new Float64Array(0), router.costUsd[i] ?? new Float64Array(0));
  }
  return chosen;
}

/** RouteLLM's threshold sweep: for x = 0…100, the top round(x% × n) examples by predicted gain go strong. */
function strongPercentileChoices(router: RouterPredictions, pair: StrongWeakPair): Array<[number, Int32Array]> {
  const n = router.quality.length;
  const gain = router.quality.map((row) => (row[pair.strong] ?? 0) - (row[pair.weak] ?? 0));
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (gain[b] ?? 0) - (gain[a] ?? 0) || a - b);
  const result: Array<[number, Int32Array]> = [];
  for (let percent = 0; percent <= 100; percent++) {
    const strongCount = Math.round((percent * n) / 100);
    const chosen = new Int32Array(n).fill(pair.weak);
    for (let rank = 0; rank < strongCount; rank++) chosen[order[rank] ?? 0] = pair.strong;
    result.push([percent, chosen]);
  }
  return result;
}

function shareOf(chosen: Int32Array, model: number): number {
  let count = 0;
  for (const m of chosen) if (m === model) count++;
  return chosen.length === 0 ? 0 : count / chosen.length;
}
