import { isSwitchyardError, SwitchyardError } from "../core/errors.js";
import type { TraceAttempt } from "../stores/trace-record.js";
import type { CircuitBreakers } from "./circuit-breaker.js";
import { failureVerdictOf } from "./failure-verdict.js";
import type { RetryPolicy } from "./retry-policy.js";
import type { CancelSignal } from "./cancel-signal.js";

/** One call the executor asks for. */
export interface AttemptInput {
  target: string;
  /** 1 for the first call to this target, 2 for its first retry, … */
  attempt: number;
}

/** What {@link FallbackExecutor.execute} runs. */
export interface ExecuteInput<T> {
  /** Targets in the router's order of preference (best first). */
  candidates: readonly string[];
  /**
   * Calls one target. For streams it resolves once the first byte arrived: after that the executor has
   * handed the response over and no longer falls back.
   */
  call: (input: AttemptInput) => Promise<T>;
  /** Asked before the first call to each target; false skips it (e.g. the budget cannot cover it). */
  admit?: (target: string) => boolean | Promise<boolean>;
  /** Every finished attempt, successful or not, in order (for the trace), even when execute throws. */
  onAttempt?: (attempt: TraceAttempt) => void;
  /** The client went away: no further attempts. */
  signal?: CancelSignal;
}

/** The served call. */
export interface ExecuteResult<T> {
  value: T;
  target: string;
  /** Number of targets tried after the first one failed. */
  fallbacks: number;
}

/** Runs a request against its candidates with retries, breakers and fallback. */
export interface FallbackExecutor {
  execute<T>(input: ExecuteInput<T>): Promise<ExecuteResult<T>>;
}

/** Dependencies of {@link createFallbackExecutor}. */
export interface FallbackExecutorOptions {
  policy: RetryPolicy;
  breakers: CircuitBreakers;
  now: () => number;
  sleep: (ms: number, signal?: CancelSignal) => Promise<void>;
}

/**
 * Serves a request from the first candidate that answers: each target is called while its breaker
 * allows it, retried on transient failures after a jittered backoff or the upstream's short
 * `retry-after`, and on failure the request falls back to the router's next-best candidate. A failure
 * that is the request's own fault (HTTP 400/422 from the upstream, the client cancelling) is thrown at
 * once. When every candidate failed, the error is one `upstream_error` (or `upstream_timeout` when the
 * last failure was a timeout) naming each attempt — unless the last upstream answered with a client
 * status (404, 429, …), whose own error is passed on; when breakers blocked every candidate it carries
 * a `retry-after` until the earliest probe.
 *
 * @example
 * const { value, target } = await executor.execute({ candidates: decision.candidates.map((c) => c.model), call });
 */
export function createFallbackExecutor(options: FallbackExecutorOptions): FallbackExecutor {
  const { policy, breakers, now, sleep } = options;
  return {
    async execute<T>(input: ExecuteInput<T>): Promise<ExecuteResult<T>> {
      let attemptsLeft = policy.config.maxAttempts;
      const failures: string[] = [];
      const blocked: string[] = [];
      let lastError: unknown;
      let lastOutcome = "";
      let targetsTried = 0;

      for (const target of input.candidates) {
        if (attemptsLeft <= 0) break;
        if (input.admit && !(await input.admit(target))) continue;
        if (!breakers.tryAcquire(target)) {
          blocked.push(target);
          continue;
        }
        targetsTried++;
        let waitedMs = 0;
        for (let attempt = 1; ; attempt++) {
          attemptsLeft--;
          const startedAt = now();
          try {
            const value = await input.call({ target, attempt });
            breakers.recordSuccess(target);
            input.onAttempt?.({ target, attempt, outcome: "ok", durationMs: now() - startedAt, ...(waitedMs > 0 ? { waitedMs } : {}) });
            return { value, target, fallbacks: targetsTried - 1 };
          } catch (error) {
            const verdict = failureVerdictOf(error);
            const status = (error as { upstreamStatus?: unknown }).upstreamStatus;
            input.onAttempt?.({
              target,
              attempt,
              outcome: verdict.outcome,
              ...(typeof status === "number" ? { status } : {}),
              durationMs: now() - startedAt,
              ...(waitedMs > 0 ? { waitedMs } : {}),
            });
            if (verdict.countsAgainstTarget) breakers.recordFailure(target);
            else breakers.release(target);
            if (!verdict.fallback) throw error;
            lastError = error;
            lastOutcome = verdict.outcome;
            failures.push(`${target} ${verdict.outcome}`);
            if (verdict.retryAfterMs !== undefined && verdict.retryAfterMs > policy.config.maxRetryAfterMs) {
              breakers.coolDown(target, now() + verdict.retryAfterMs);
            }
            const delay = policy.delayBeforeRetry(verdict, attempt);
            if (delay === undefined || attemptsLeft <= 0 || input.signal?.aborted) break;
            await sleep(delay, input.signal);
            waitedMs = delay;
            if (input.signal?.aborted || !breakers.tryAcquire(target)) break;
          }
        }
        if (input.signal?.aborted) break;
      }

      if (lastError === undefined) {
        const probeAt = breakers.nextProbeAt(blocked);
        const retryAfterSeconds = probeAt === undefined ? undefined : Math.max(1, Math.ceil((probeAt - now()) / 1000));
        const why = blocked.length > 0 ? `circuit breakers are open for ${blocked.join(", ")}` : "no candidate could be afforded or admitted";
        throw new SwitchyardError("upstream_error", `No upstream is available: ${why}`, { retryAfterSeconds });
      }
      // The last upstream refused with a client status (404 unknown model, 429 …): pass its own error on.
      if (isSwitchyardError(lastError) && lastError.status < 500) throw lastError;
      const code = lastOutcome.startsWith("timeout") ? "upstream_timeout" : "upstream_error";
      const skipped = blocked.length > 0 ? `; skipped (breaker open): ${blocked.join(", ")}` : "";
      throw new SwitchyardError(code, `Every attempted upstream failed: ${failures.join("; ")}${skipped}`, { cause: lastError });
    },
  };
}

/** A sleep that resolves early when `signal` aborts (the real one; tests inject their own). */
export function abortableSleep(ms: number, signal?: CancelSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
