import type { CostQualityPoint } from "./hull.js";
import type { MeanOutcome } from "./outcome-matrix.js";
import type { OperatingPoint } from "./sweep.js";

/** Identifies the JSON format of {@link EvaluationReport}. */
export const evaluationReportFormat = "switchyard-evaluation-report/1";

/** One model answering every test prompt. */
export interface SingleModelReport extends MeanOutcome {
  model: string;
}

/** Expected (from the knob calibration, on training data) vs realised (true, on the test set) spend at a knob. */
export interface KnobSpendReport {
  knob: number;
  willingnessToPay: number;
  /** `expectedSpendForKnob(calibration, knob)`, USD per prompt. */
  expectedSpendUsd: number;
  /** Mean true cost of the router's choices at that knob, USD per prompt. */
  realisedSpendUsd: number;
}

/** Metrics of one router. Null means "not defined here" (see docs/evaluation.md for each). */
export interface RouterReport {
  name: string;
  followsObjective: boolean;
  points: OperatingPoint[];
  /** Non-decreasing convex hull of all `points`. */
  hull: CostQualityPoint[];
  aiq: number;
  gapRecovered: number | null;
  /** Hull quality at the best single model's mean cost; null if the router cannot operate that cheaply. */
  qualityAtBestSingleCost: number | null;
  /** Least hull cost reaching the best single model's quality ÷ that model's cost; null if never reached. */
  costFractionToMatchBestSingle: number | null;
  /** Two-model sets only (RouteLLM's metrics, over the `strong=x%` points). */
  apgr?: number | null;
  /** Two-model sets only: least strong-call share (0..1) with PGR ≥ 0.5. */
  cpt50?: number | null;
  /** Two-model sets only: least strong-call share (0..1) with PGR ≥ 0.8. */
  cpt80?: number | null;
  /** Knobs 0.25, 0.5, 0.75, when the router has a calibration and follows the objective. */
  knobSpend?: KnobSpendReport[];
  /** Every knob 0, 0.05, …, 1 (same fields as `knobSpend`): the calibration curve the report page draws. */
  knobCurve?: KnobSpendReport[];
  trainMs?: number;
  decideMsPerPrompt?: number;
}

/** One router's metrics on one task's prompts (definitions as in {@link RouterReport}, on the task alone). */
export interface TaskRouterReport {
  name: string;
  aiq: number;
  gapRecovered: number | null;
  qualityAtBestSingleCost: number | null;
  costFractionToMatchBestSingle: number | null;
}

/** The evaluation restricted to one task's test prompts (see `taskBreakdown`). */
export interface TaskReport {
  /** The examples' `task`, or `(no task)`. */
  task: string;
  examples: number;
  singles: SingleModelReport[];
  bestSingle: SingleModelReport;
  zeroRouterAiq: number;
  oracle: { point: MeanOutcome; aiq: number };
  routers: TaskRouterReport[];
}

/** The whole evaluation as a plain JSON-safe object (what `report.json` holds). */
export interface EvaluationReport {
  format: typeof evaluationReportFormat;
  dataset: string;
  trainSplit: string;
  testSplit: string;
  counts: { examples: number; models: number; routers: number };
  models: string[];
  /** AIQ's integration range: the cheapest and costliest single model's mean cost. */
  costRangeUsd: { min: number; max: number };
  singles: SingleModelReport[];
  /** Highest mean true score on the test set; ties → cheaper. */
  bestSingle: SingleModelReport;
  /** RouterBench's zero router: the hull of the single models (mixing them at random). */
  zeroRouter: { hull: CostQualityPoint[]; aiq: number };
  /** Best true score per example (`point`) and its exact wtp sweep (`hull`, used for AIQ). */
  oracle: { point: MeanOutcome; hull: CostQualityPoint[]; aiq: number };
  /** Two-model sets only: which model is strong (higher mean true cost) and which points PGR uses. */
  twoModel?: { strong: string; weak: string; strongQuality: number; weakQuality: number; pgrPoints: string };
  routers: RouterReport[];
  /** The same metrics per task, when the test prompts carry tasks (one entry per task). */
  tasks?: TaskReport[];
}
