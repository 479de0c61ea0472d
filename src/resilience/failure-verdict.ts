import { isSwitchyardError } from "../core/errors.js";
import { UpstreamFailure } from "../providers/upstream-failure.js";

/** What the resilience layer does about one failed attempt. */
export interface FailureVerdict {
  /** Short label for traces and metrics: `http_503`, `timeout_first_byte`, `connection_reset`, … */
  outcome: string;
  /** Another candidate may serve the request (false: the request itself is at fault, stop). */
  fallback: boolean;
  /** The same target may be tried again after a backoff. */
  retrySameTarget: boolean;
  /** The failure says the target is unhealthy (feeds its circuit breaker). */
  countsAgainstTarget: boolean;
  /** What the upstream asked us to wait, when it said so. */
  retryAfterMs?: number;
}

/** 4xx statuses after which another upstream may still answer: a timeout, a conflict, a rate limit. */
const transientClientStatuses: ReadonlySet<number> = new Set([408, 409, 429]);
/** 4xx statuses about the gateway's own account at that upstream (credentials, billing), not the request. */
const accountStatuses: ReadonlySet<number> = new Set([401, 402, 403]);

/**
 * Classifies a failed upstream attempt (the table in docs/gateway.md, "Retries and fallbacks").
 * Errors that are not upstream failures (a bug, a bad request caught before sending) get
 * `fallback: false` and propagate as they are. Only failures another attempt may survive fall back,
 * so a request that is itself wrong never moves on to dearer models:
 * - HTTP 408, 409, 429 and 5xx: retry the same target (honouring `retry-after`), then fall back.
 * - HTTP 401, 402, 403: the gateway's credentials or account at that upstream → fall back (another
 *   upstream has its own), no retry; counts against the target's breaker.
 * - Every other 4xx (400, 404, 413, 415, 422, …): the upstream says the request (or the model name
 *   it was sent) is wrong → no retry, no fallback; the client gets the upstream's answer, wrapped.
 * - connection refused or reset: retry, then fall back. Timeouts and malformed answers: fall back at
 *   once (a slow or broken upstream rarely recovers within one request).
 * - An answer over `maxResponseBytes`: neither (another model would be billed for as much again).
 */
export function failureVerdictOf(error: unknown): FailureVerdict {
  const status = (error as { upstreamStatus?: unknown } | null)?.upstreamStatus;
  if (typeof status === "number" && isSwitchyardError(error)) {
    const retryAfterMs = error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000;
    const outcome = `http_${status}`;
    const transient = transientClientStatuses.has(status) || status >= 500;
    if (!transient && !accountStatuses.has(status)) return { outcome, fallback: false, retrySameTarget: false, countsAgainstTarget: false };
    return { outcome, fallback: true, retrySameTarget: transient, countsAgainstTarget: true, retryAfterMs };
  }
  if (error instanceof UpstreamFailure) {
    if (error.kind === "cancelled" || error.kind === "response_too_large") return { outcome: error.kind, fallback: false, retrySameTarget: false, countsAgainstTarget: false };
    const retry = error.kind === "connect" || error.kind === "connection_reset";
    return { outcome: error.kind, fallback: true, retrySameTarget: retry, countsAgainstTarget: true };
  }
  if (isSwitchyardError(error) && (error.code === "upstream_error" || error.code === "upstream_timeout")) {
    const fallback = error.isRetryable;
    return { outcome: error.code === "upstream_timeout" ? "timeout" : "upstream_error", fallback, retrySameTarget: false, countsAgainstTarget: fallback };
  }
  return { outcome: "error", fallback: false, retrySameTarget: false, countsAgainstTarget: false };
}
