import type { CandidateScore, ShadowRecord } from "../core/decision.js";

/** One call to one upstream target while serving a request. */
export interface TraceAttempt {
  /** Target id that was called. */
  target: string;
  /** 1 for the first call to this target, 2 for its first retry, … */
  attempt: number;
  /** `ok`, or why the attempt failed (`http_500`, `timeout_first_byte`, `connection_reset`, …). */
  outcome: string;
  /** Upstream HTTP status when one was received. */
  status?: number;
  /** Wall time of the attempt in milliseconds. */
  durationMs: number;
  /** Milliseconds waited before this attempt (backoff or `retry-after`). */
  waitedMs?: number;
  /** Multi-call strategies (cascade, fan-out): what the sub-call did — `answer`, `score` or `aggregate`. */
  role?: string;
  /** Multi-call strategies: USD this sub-call cost (the trace's `costUsd` is their sum). */
  costUsd?: number;
  /** Multi-call strategies: the scorer's grade of this answer, when graded. */
  score?: number;
}

/**
 * The routing decision as a trace keeps it: the decision log that off-policy evaluation and training
 * from traffic read (`switchyard traces export --format routing-log`). Traces written before these
 * fields existed lack `model`, `propensity`, `quality` and `artifact`; readers treat them as unknown.
 */
export interface TraceDecision {
  router: string;
  /** The target the router chose (the served one unless a fallback took over). */
  model?: string;
  /** P(the policy chose `model` | prompt, candidates); absent on old traces, 1 for deterministic routers; under a canary, the mixture's probability (docs/rollout.md). */
  propensity?: number;
  /** The quality knob mapped to `willingnessToPay`, when the request used the knob. */
  quality?: number;
  /** Content version of the router artifact (see `artifactVersionOf`). */
  artifact?: string;
  willingnessToPay: number;
  /** Every candidate the router scored, best first. */
  candidates: CandidateScore[];
  decisionMs: number;
  /** Cost cap applied from the key's remaining budget, when there was one. */
  maxCostUsd?: number;
  /** Under a canary: which arm served. */
  arm?: "primary" | "canary";
  /** Shadow mode: what the shadow artifact would have served. */
  shadow?: ShadowRecord;
}

/**
 * Everything Switchyard records about one request. Prompt and response text are present only when
 * the configuration asks for them; keys and other secrets are never part of a trace.
 */
export interface TraceRecord {
  /** The gateway's own request id (sent to the client as `x-request-id`); never client-chosen. */
  id: string;
  /**
   * The `x-request-id` the client sent, if any: an attribute scoped to `keyId` (feedback can name it),
   * never the record's identity, so it cannot address or replace another key's trace.
   */
  clientRequestId?: string;
  /** Epoch milliseconds when the request arrived. */
  createdAt: number;
  /** Route, e.g. `/v1/chat/completions`. */
  endpoint: string;
  /** API key id, or null when the gateway runs open. */
  keyId: string | null;
  /** The model the client asked for (`auto` or a target id). */
  requestedModel: string | null;
  /** Target that produced the answer, or null when none did. */
  servedModel: string | null;
  stream: boolean;
  /** HTTP status returned to the client. */
  status: number;
  /** Switchyard error code when the request failed. */
  errorCode: string | null;
  /** Total wall time in milliseconds (for streams: until the last byte). */
  latencyMs: number;
  /** Time spent waiting for upstreams, summed over attempts. */
  upstreamMs: number | null;
  decision: TraceDecision | null;
  attempts: TraceAttempt[];
  /** Number of times a different target was tried after one failed. */
  fallbacks: number;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  /** Prompt text (only when `traces.storeText` is on). */
  prompt?: string;
  /** Response text (only when `traces.storeText` is on). */
  response?: string;
  /**
   * SHA-256 (hex) of the prompt text as routers see it, for every routed request whatever
   * `traces.storeText` says: lets duplicates be joined and rewards be matched without the text.
   */
  promptHash?: string;
  /** Feedback given through `POST /v1/feedback`. */
  feedback?: TraceFeedback;
  /** Rewards joined later from other sources (an LLM judge, an online learner's grader), oldest first. */
  rewards?: TraceReward[];
  /**
   * Online learning's sampled LLM judge: its grade of the answer (null when it failed) and what judging
   * cost — apart from `costUsd`, which is the request's own cost.
   */
  judge?: { score: number | null; costUsd: number; at: number };
  /** What the guard and the route policy decided before routing, when they ran (docs/guard-and-policy.md). */
  stages?: TraceStages;
}

/** The guard's verdict and the policy's route of one request, as its response headers said them. */
export interface TraceStages {
  /** `x-switchyard-guard`: `allow`, `refuse` or `reroute` (to the served model). */
  guard?: "allow" | "refuse" | "reroute";
  /** `x-switchyard-route`: the policy route taken (`default` when none matched). */
  route?: string;
}

/** A reward attached to a trace after the fact by something other than the client's feedback. */
export interface TraceReward {
  /** Where it came from, e.g. `judge:gpt-4o` or `exact-match`. */
  source: string;
  /** Score in [0, 1]. */
  score: number;
  /** Epoch milliseconds when it was recorded. */
  createdAt: number;
}

/** A client's judgement of one answer, stored with its trace for later online learning. */
export interface TraceFeedback {
  /** Score in [0, 1]. */
  score: number;
  label: string | null;
  /** Epoch milliseconds when it was given. */
  createdAt: number;
}

/** Which traces `TraceRepository.list` returns. Every field narrows the result. */
export interface TraceFilter {
  /** Epoch milliseconds, inclusive. */
  since?: number;
  /** Epoch milliseconds, exclusive. */
  until?: number;
  keyId?: string;
  /** Matches the requested or the served model. */
  model?: string;
  status?: number;
  /** Only failed (status ≥ 400) or only successful traces. */
  outcome?: "error" | "ok";
  /** At most this many, newest first (default 100). */
  limit?: number;
  /** Only traces older than this one (a page cursor: newest first, ties broken by id). */
  before?: { createdAt: number; id: string };
  /** Case-insensitive substring of the requested or served model, the error code or the stored prompt; or the exact request id. */
  search?: string;
}
