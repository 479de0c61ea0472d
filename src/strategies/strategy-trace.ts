/** Why one sub-call of a strategy ended the way it did. */
export type SubCallOutcome = "accepted" | "escalated" | "final" | "failed" | "timed-out" | "answered" | "chosen" | "fused";

/** One sub-call of a strategy (an answer, a grade, a fusion), as the trace records it. */
export interface SubCallTrace {
  /** `answer` (a model answering the user), `score` (a scorer grading an answer), `aggregate` (fusion). */
  role: "answer" | "score" | "aggregate";
  /** Target id called (for a score: the answering target the grade is about). */
  model: string;
  /** Cascade step index (0-based) or fan-out slot. */
  step: number;
  costUsd: number;
  latencyMs: number;
  outcome: SubCallOutcome;
  /** Scorer's grade of this answer, when scored. */
  score?: number;
  /** Threshold the score was compared to (cascade). */
  threshold?: number;
  /** Scorer kind for `score` entries. */
  scorer?: string;
  /** Error message or scorer note. */
  note?: string;
}

/** What a multi-call strategy answered, and what it spent getting there. */
export interface StrategyResult {
  strategy: "cascade" | "fan-out";
  /** Final answer text. */
  text: string;
  /** Target id whose answer is returned (the aggregator's for a fused answer). */
  model: string;
  /** Sum of every sub-call's cost (answers, judges, aggregator). */
  costUsd: number;
  latencyMs: number;
  usage: { prompt_tokens: number; completion_tokens: number };
  /** Why the strategy stopped (cascade: accepted / last-step / cost-cap / deadline / failures; fan-out: best / fused / fallback). */
  stoppedBecause: string;
  trace: SubCallTrace[];
}
