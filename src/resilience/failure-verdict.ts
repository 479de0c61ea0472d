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

/** Statuses that say the request, not the upstream, is wrong: no other upstream will do better. */
const requestFaultStatuses: ReadonlySet<number> = new Set([400, 413, 415, 422]);

/**
 * Classifies a failed upstream attempt. Errors that are not upstream failures (a bug, a bad request
 * caught before sending) get `fallback: false` and propagate as they are.
 * - HTTP 400/413/415/422: the upstream rejected the request itself → no retry, no fallback.
 * - HTTP 429, 408, 409 and 5xx: retry the same target (honouring `retry-after`), then fall back.
 * - HTTP 401/403/404 and other 4xx: the target is misconfigured → fall back, no retry.
 * - connection refused or reset: retry, then fall back. Timeouts and malformed answers: fall back at
 *   once (a slow or broken upstream rarely recovers within one request).
 */
export function failureVerdictOf(error: unknown): FailureVerdict {
  const status = (error as { upstreamStatus?: unknown } | null)?.upstreamStatus;
  if (typeof status === "number" && isSwitchyardError(error)) {
    const retryAfterMs = error.retryAfterSeconds === undefined ? undefined : error.retryAfterSeconds * 1000;
    const outcome = `http_${status}`;
    if (requestFaultStatuses.has(status)) return { outcome, fallback: false, retrySameTarget: false, countsAgainstTarget: false };
    const transient = status === 429 || status === 408 || status === 409 || status >= 500;
    return { outcome, fallback: true, retrySameTarget: transient, countsAgainstTarget: true, retryAfterMs };
  }
  if (error instanceof UpstreamFailure) {
    if (error.kind === "cancelled") return { outcome: "cancelled", fallback: false, retrySameTarget: false, countsAgainstTarget: false };
    const retry = error.kind === "connect" || error.kind === "connection_reset";
    return { outcome: error.kind, fallback: true, retrySameTarget: retry, countsAgainstTarget: true };
  }
  if (isSwitchyardError(error) && (error.code === "upstream_error" || error.code === "upstream_timeout")) {
    const fallback = error.isRetryable;
    return { outcome: error.code === "upstream_timeout" ? "timeout" : "upstream_error", fallback, retrySameTarget: false, countsAgainstTarget: fallback };
  }
  return { outcome: "error", fallback: false, retrySameTarget: false, countsAgainstTarget: false };
}
