/**
 * What an online router's decision needs to be learned from later: kept per routed request, keyed by
 * the gateway's request id (the `x-request-id` a client sends feedback for).
 */
export interface LearningContextRecord {
  requestId: string;
  /** API key id that made the request, or null when the gateway runs open. */
  keyId: string | null;
  /** The target that served the answer (the one the reward is about). */
  model: string;
  /** The target the router chose (differs from `model` after a fallback). */
  chosenModel: string;
  /** P(policy chose `chosenModel`), in (0, 1]. */
  propensity: number;
  /** The route input's features, encoded by `encodeRouteInput` (Float32 bytes, never the prompt text unless `traces.storeText`). */
  input: Uint8Array;
  /** The served model's predicted quality and cost at decision time (null when it was not a candidate). */
  predictedQuality: number | null;
  predictedCostUsd: number | null;
  /** Real cost of the answer (ledger price × usage), when known. */
  costUsd: number | null;
  /** Epoch milliseconds when the request arrived. */
  createdAt: number;
}

/** Where a reward came from; a request is learned from at most once per source. */
export type RewardSource = "feedback" | "judge" | "signal";

/** One learning update, as appended to the durable update log (replayed over the last snapshot on start). */
export interface LearningUpdateRecord {
  /** Position in the log (assigned by the store, increasing). */
  seq: number;
  requestId: string;
  source: RewardSource;
  model: string;
  reward: number;
  costUsd: number | null;
  /** The engine's predicted cost of `model` at decision time (routers learn the real/predicted ratio). */
  predictedCostUsd: number | null;
  /** The encoded route input (a copy of the context's), so the log replays without the contexts. */
  input: Uint8Array;
  createdAt: number;
}

/** A snapshot of an online router's learned state: the state as of update `seq`. */
export interface LearningSnapshot {
  /** Router kind the state belongs to (a snapshot of another kind is ignored). */
  routerKind: string;
  /** `Router.toState()` as JSON text. */
  state: string;
  /** The last update folded into `state` (0 for none). */
  seq: number;
  /** Updates learned in total (snapshot plus log), for reports. */
  updates: number;
  savedAt: number;
}

/** What a judge said about one answer (kept beside the request's learning context). */
export interface JudgementRecord {
  /** Grade in [0, 1], or null when the judge failed or its answers were unparsable. */
  score: number | null;
  costUsd: number;
  at: number;
}
