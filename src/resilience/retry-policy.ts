import { z } from "zod";
import type { Random } from "../core/random.js";
import type { FailureVerdict } from "./failure-verdict.js";

/** Schema of the `resilience.retry` configuration. */
export const retryPolicySchema = z
  .object({
    /** Retries of the same target before falling back to the next candidate. */
    retriesPerTarget: z.number().int().min(0).max(5).default(1),
    /** Upper bound of attempts for one request, all targets together. */
    maxAttempts: z.number().int().min(1).max(20).default(10),
    /** First backoff ceiling; doubles per retry. */
    baseDelayMs: z.number().int().min(0).default(50),
    /** Largest backoff ceiling. */
    maxDelayMs: z.number().int().min(0).default(2_000),
    /** A `retry-after` longer than this is not waited for: the request falls back instead. */
    maxRetryAfterMs: z.number().int().min(0).default(2_000),
  })
  .strict();

/** Validated retry settings. */
export type RetryPolicyConfig = z.infer<typeof retryPolicySchema>;

/** Decides whether and when to retry the same target. */
export interface RetryPolicy {
  readonly config: RetryPolicyConfig;
  /**
   * Milliseconds to wait before retry number `retry` (1-based) of the same target, or undefined to
   * move on to the next candidate.
   */
  delayBeforeRetry(verdict: FailureVerdict, retry: number): number | undefined;
}

/**
 * Exponential backoff with full jitter — wait a uniform draw in [0, min(max, base·2^(n−1))] —
 * from Brooker, "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015), which spreads
 * synchronized retries best. An upstream's `retry-after` / `retry-after-ms` overrides the backoff
 * when it is short enough to wait for; a longer one means "try elsewhere".
 *
 * @example
 * const policy = createRetryPolicy(retryPolicySchema.parse({}), createRandom(1));
 */
export function createRetryPolicy(config: RetryPolicyConfig, random: Random): RetryPolicy {
  return {
    config,
    delayBeforeRetry(verdict, retry) {
      if (!verdict.retrySameTarget || retry > config.retriesPerTarget) return undefined;
      if (verdict.retryAfterMs !== undefined) {
        return verdict.retryAfterMs <= config.maxRetryAfterMs ? verdict.retryAfterMs : undefined;
      }
      const ceiling = Math.min(config.maxDelayMs, config.baseDelayMs * 2 ** (retry - 1));
      return Math.round(random() * ceiling);
    },
  };
}
