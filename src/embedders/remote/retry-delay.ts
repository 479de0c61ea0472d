import type { Random } from "../../core/random.js";

/** How long to wait between attempts. */
export interface RetryDelayOptions {
  /** Base of the exponential backoff: attempt n waits about `initialBackoffMs × 2ⁿ`. */
  initialBackoffMs: number;
  /** Cap of the exponential backoff. */
  maxBackoffMs: number;
  /** Cap of a server's `retry-after` / `retry-after-ms`. */
  maxRetryAfterMs: number;
  random: Random;
}

/**
 * Milliseconds a server asked us to wait: `retry-after-ms` (OpenAI's), else `retry-after` in seconds
 * or as an HTTP date (relative to `nowMs`). `undefined` when it said nothing usable.
 */
export function retryAfterMsOf(headers: Headers, nowMs: number): number | undefined {
  const milliseconds = headers.get("retry-after-ms");
  if (milliseconds !== null && milliseconds.trim() !== "" && Number.isFinite(Number(milliseconds)) && Number(milliseconds) >= 0) return Number(milliseconds);
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/**
 * Delay before retry number `attempt` (0-based): the server's `retry-after` when given (capped at
 * `maxRetryAfterMs`), else exponential backoff with "equal jitter" — half the capped backoff plus a
 * random half — so clients that failed together do not retry together.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: RetryDelayOptions): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, options.maxRetryAfterMs);
  const backoff = Math.min(options.maxBackoffMs, options.initialBackoffMs * 2 ** attempt);
  return Math.round(backoff / 2 + options.random() * (backoff / 2));
}
