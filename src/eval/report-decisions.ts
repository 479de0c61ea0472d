import { SwitchyardError } from "../core/errors.js";
import type { EvaluationInput } from "./evaluation-input.js";
import { oracleChoices } from "./oracle.js";
import type { RouterSweep, SweepContext } from "./sweep.js";
import { untaskedLabel } from "./task-breakdown.js";

/** One operating point of the chosen router, as the decisions browser offers it. */
export interface ReportDecisionPoint {
  label: string;
  willingnessToPay?: number;
  meanCostUsd: number;
  meanQuality: number;
}

/** One test prompt in the decisions browser. */
export interface ReportDecisionPrompt {
  id: string;
  task: string;
  /** The prompt, shortened to `promptChars` characters (head and tail) when longer. */
  text: string;
  /** Length of the full prompt, in characters. */
  chars: number;
}

/**
 * What the report page needs to show one router's decision on every test prompt at every one of its
 * operating points, and why: its predictions and the true outcomes of every model. Matrices are
 * `[promptIndex][modelIndex]`; numbers are rounded to 4 significant digits to keep the page small.
 */
export interface ReportDecisions {
  router: string;
  models: string[];
  /** Knob points when the router has a calibration, else its wtp points, else its one `fixed` point. */
  points: ReportDecisionPoint[];
  prompts: ReportDecisionPrompt[];
  /** `choices[pointIndex][promptIndex]` = model index. */
  choices: number[][];
  /** The oracle's model per prompt (best true score, ties → cheaper). */
  oracle: number[];
  trueScore: number[][];
  trueCostUsd: number[][];
  predictedQuality: number[][];
  predictedCostUsd: number[][];
  /** Characters each prompt was shortened to (head … tail), chosen so the page stays small. */
  promptChars: number;
}

/** Options of {@link reportDecisions}. */
export interface ReportDecisionsOptions {
  /** Router whose decisions are shown; default: the best-AIQ router other than the oracle. */
  router?: string;
  /** Characters of prompt text kept over all prompts (each prompt gets its share, 120 to 2,000). Default 600,000. */
  promptBudgetChars?: number;
}

/**
 * The decisions of one router for the report page (see {@link ReportDecisions}). Throws `invalid_config`
 * (param `report-router`) when `options.router` names no evaluated router.
 */
export function reportDecisions(input: EvaluationInput, sweeps: readonly RouterSweep[], context: SweepContext, aiqByRouter: ReadonlyMap<string, number>, options: ReportDecisionsOptions = {}): ReportDecisions {
  const name = options.router ?? defaultRouter(sweeps, aiqByRouter);
  const index = sweeps.findIndex((sweep) => sweep.name === name);
  const sweep = sweeps[index];
  const predictions = input.routers[index];
  if (!sweep || !predictions) {
    throw new SwitchyardError("invalid_config", `--report-router ${JSON.stringify(name)} is not one of the evaluated routers (${sweeps.map((s) => s.name).join(", ")})`, { param: "report-router" });
  }
  const hasKnob = sweep.points.some((point) => point.kind === "knob");
  const hasWtp = sweep.points.some((point) => point.kind === "wtp");
  const kept = sweep.points.flatMap((point, p) => ((hasKnob ? point.kind === "knob" : hasWtp ? point.kind === "wtp" : true) ? [p] : []));
  const n = input.examples.length;
  const promptChars = Math.max(120, Math.min(2000, Math.floor((options.promptBudgetChars ?? 600_000) / Math.max(1, n))));
  return {
    router: sweep.name,
    models: [...input.models],
    points: kept.map((p) => {
      const point = sweep.points[p]!;
      return { label: point.label, ...(point.willingnessToPay === undefined ? {} : { willingnessToPay: point.willingnessToPay }), meanCostUsd: point.meanCostUsd, meanQuality: point.meanQuality };
    }),
    prompts: input.examples.map((example) => ({ id: example.id, task: example.task ?? untaskedLabel, text: shorten(example.prompt, promptChars), chars: example.prompt.length })),
    choices: kept.map((p) => Array.from(sweep.choices[p] ?? [])),
    oracle: Array.from(oracleChoices(context.truth)),
    trueScore: context.truth.quality.map(rounded),
    trueCostUsd: context.truth.costUsd.map(rounded),
    predictedQuality: predictions.quality.map(rounded),
    predictedCostUsd: predictions.costUsd.map(rounded),
    promptChars,
  };
}

function defaultRouter(sweeps: readonly RouterSweep[], aiqByRouter: ReadonlyMap<string, number>): string {
  const candidates = sweeps.filter((sweep) => sweep.name !== "oracle");
  const pool = candidates.length > 0 ? candidates : sweeps;
  let best = pool[0]?.name ?? "";
  for (const sweep of pool) if ((aiqByRouter.get(sweep.name) ?? -Infinity) > (aiqByRouter.get(best) ?? -Infinity)) best = sweep.name;
  return best;
}

/** Keeps the head and the tail (few-shot prompts end with the question that matters). */
function shorten(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const head = Math.ceil(chars * 0.4);
  return `${text.slice(0, head)} … ${text.slice(text.length - (chars - head))}`;
}

function rounded(row: Float64Array): number[] {
  return Array.from(row, (value) => (value === 0 || !Number.isFinite(value) ? value : Number(value.toPrecision(4))));
}
