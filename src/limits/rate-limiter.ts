import { SwitchyardError } from "../core/errors.js";

/** A key's per-minute limits (null = unlimited). */
export interface RateLimits {
  rpm: number | null;
  tpm: number | null;
}

interface Bucket {
  level: number;
  updatedAt: number;
}

/** Per-key request and token rate limits. */
export interface RateLimiter {
  /**
   * Admits one request estimated at `tokens` tokens, or throws `rate_limited` (429) with the
   * seconds until it would be admitted. Shared limiters (Redis) answer asynchronously: a returned
   * promise must be awaited (it rejects instead of throwing).
   */
  admit(keyId: string, limits: RateLimits, tokens: number): void | Promise<void>;
  /** Books the difference between the real and the estimated tokens once a request ended. */
  correctTokens(keyId: string, limits: RateLimits, estimatedTokens: number, actualTokens: number): void;
}

/**
 * Token buckets per key, refilled continuously (Turner, 1986): `rpm` requests and `tpm` tokens per
 * minute, each with a burst of one minute's allowance. A request needs one whole request token; the
 * token bucket may go into debt (a single request may be larger than `tpm`) and then admits nothing
 * until it has refilled above zero — the debt model most LLM APIs use for token limits.
 *
 * State is per process: it is short-lived (one minute) and lost on restart by design. Instances
 * sharing a store each enforce the full limit.
 *
 * @example
 * const limiter = createRateLimiter({ now: Date.now });
 * limiter.admit(key.id, key, estimatedTokens);
 */
export function createRateLimiter(options: { now: () => number }): RateLimiter {
  const { now } = options;
  const requestBuckets = new Map<string, Bucket>();
  const tokenBuckets = new Map<string, Bucket>();

  const refilled = (buckets: Map<string, Bucket>, keyId: string, perMinute: number, at: number): Bucket => {
    let bucket = buckets.get(keyId);
    if (!bucket) {
      bucket = { level: perMinute, updatedAt: at };
      buckets.set(keyId, bucket);
    } else {
      const elapsed = Math.max(0, at - bucket.updatedAt);
      bucket.level = Math.min(perMinute, bucket.level + (elapsed * perMinute) / 60_000);
      bucket.updatedAt = at;
    }
    return bucket;
  };
  const rejection = (what: string, limit: number, missing: number, perMinute: number) => {
    // The epsilon keeps float noise (0.05 × 60 / 3 = 1.0000000000000009) from adding a whole second.
    const seconds = Math.max(1, Math.ceil((missing * 60) / perMinute - 1e-9));
    return new SwitchyardError("rate_limited", `Rate limit reached: ${limit} ${what} per minute; retry in ${seconds} s`, { retryAfterSeconds: seconds });
  };

  return {
    admit(keyId, limits, tokens) {
      const at = now();
      const requests = limits.rpm === null ? undefined : refilled(requestBuckets, keyId, limits.rpm, at);
      const tokenBucket = limits.tpm === null ? undefined : refilled(tokenBuckets, keyId, limits.tpm, at);
      if (requests && limits.rpm !== null && requests.level < 1) throw rejection("requests", limits.rpm, 1 - requests.level, limits.rpm);
      if (tokenBucket && limits.tpm !== null && tokenBucket.level <= 0) {
        throw rejection("tokens", limits.tpm, -tokenBucket.level + 1, limits.tpm);
      }
      if (requests) requests.level -= 1;
      if (tokenBucket) tokenBucket.level -= tokens;
    },
    correctTokens(keyId, limits, estimatedTokens, actualTokens) {
      if (limits.tpm === null) return;
      const bucket = refilled(tokenBuckets, keyId, limits.tpm, now());
      bucket.level = Math.min(limits.tpm, bucket.level - (actualTokens - estimatedTokens));
    },
  };
}
