/** One candidate of a logged decision, as the logging router scored it. */
export interface RoutingLogCandidate {
  model: string;
  predictedQuality: number;
  predictedCostUsd: number;
}

/**
 * One routed decision of a decision log (`switchyard traces export --format routing-log`, one JSON
 * object per line): what the logging policy saw, what it chose with which probability, what the
 * answer cost and, when known, how good it was. `switchyard ope` and `switchyard train` read it.
 */
export interface RoutingLogEntry {
  /** Request id (or any unique id for logs made elsewhere). */
  id: string;
  /** Prompt text; absent when the gateway stored only its hash (`traces.storeText: false`). */
  prompt?: string;
  /** SHA-256 (hex) of the prompt text, when known. */
  promptHash?: string;
  /** The model that was served. */
  model: string;
  /** P(logging policy serves `model` | prompt, candidates), in (0, 1]. */
  propensity: number;
  /** Observed quality of the answer in [0, 1] (feedback, judge), when known. */
  reward?: number;
  /** Realised USD cost of the answer. */
  costUsd: number;
  /** True when the realised cost was unknown (no usage reported) and the logged prediction stands in. */
  costEstimated?: boolean;
  /** Every candidate the logging router could choose from, with its predictions. */
  candidates: RoutingLogCandidate[];
  /** Router kind that decided (`knn`, `linear`, …). */
  router: string;
  /** Content version of the logging artifact; empty when unknown (traces written before it was recorded). */
  artifact: string;
  /** The quality knob of the request, when it used one. */
  knob?: number;
  /** Willingness-to-pay the decision was made at (USD per unit quality). */
  willingnessToPay?: number;
  /** End-to-end latency of the request (ms). */
  latencyMs?: number;
  /** Epoch milliseconds of the request. */
  createdAt?: number;
}
