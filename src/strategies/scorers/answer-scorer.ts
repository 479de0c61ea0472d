import type { Target } from "../../core/target.js";
import type { CancelSignal } from "../../resilience/cancel-signal.js";

/** What a scorer grades: the prompt, one model's answer to it, and which target answered. */
export interface ScoreRequest {
  prompt: string;
  answer: string;
  target: Target;
  /** The original chat body (messages, temperature …), for scorers that re-sample the model. */
  body?: Readonly<Record<string, unknown>>;
  signal?: CancelSignal;
}

/** A scorer's verdict. */
export interface ScoreResult {
  /** Estimated probability that the answer is good enough, in [0, 1]. */
  score: number;
  /** USD the scoring itself cost (judge call, extra samples); 0 for the learned scorer. */
  costUsd: number;
  latencyMs: number;
  /** True when the latency budget ran out and `score` is the configured default. */
  timedOut?: boolean;
  /** Short human-readable note (the judge's raw verdict, why the default was used). */
  note?: string;
}

/**
 * Grades one answer. The cascade escalates when the score is below its step's threshold
 * (FrugalGPT's scoring function, Chen et al. 2023; AutoMix's self-verification, Madaan et al. 2023).
 */
export interface AnswerScorer {
  /** Scorer kind, e.g. `judge`, `self-consistency`, `learned`. */
  readonly kind: string;
  score(request: ScoreRequest): Promise<ScoreResult>;
}

/** Clamps a number into [0, 1] (NaN → 0). */
export function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}
