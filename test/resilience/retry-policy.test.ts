import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { createRandom } from "../../src/core/random.js";
import { UpstreamFailure } from "../../src/providers/upstream-failure.js";
import { failureVerdictOf } from "../../src/resilience/failure-verdict.js";
import { headerReaderOf, retryAfterMsOf } from "../../src/resilience/retry-after.js";
import { createRetryPolicy, retryPolicySchema } from "../../src/resilience/retry-policy.js";

/** Shaped like the upstream client's HTTP error: a SwitchyardError with `upstreamStatus`. */
function httpError(status: number, retryAfterSeconds?: number) {
  return Object.assign(new SwitchyardError(status < 500 && status !== 429 ? "upstream_rejected" as "upstream_error" : "upstream_error", `http ${status}`, { retryAfterSeconds }), { upstreamStatus: status });
}

test("retry-after: ms variant first, seconds, HTTP dates, garbage ignored", () => {
  const now = () => Date.UTC(2025, 0, 1, 0, 0, 0);
  const read = (headers: Record<string, string>) => retryAfterMsOf(headerReaderOf(headers), now);
  assert.equal(read({ "retry-after-ms": "250", "retry-after": "9" }), 250);
  assert.equal(read({ "retry-after": "2" }), 2000);
  assert.equal(read({ "retry-after": "1.5" }), 1500);
  assert.equal(read({ "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" }), 3000);
  assert.equal(read({ "retry-after": "Tue, 31 Dec 2024 00:00:00 GMT" }), 0);
  assert.equal(read({ "retry-after": "soon" }), undefined);
  assert.equal(read({ "retry-after-ms": "-5" }), undefined);
  assert.equal(read({ "retry-after": "-5" }), undefined);
  assert.equal(read({}), undefined);
  assert.equal(retryAfterMsOf(headerReaderOf({ "retry-after": ["4", "5"] }), now), 4000);
});

test("verdicts: request faults stop, transient failures retry, misconfigured targets fall back", () => {
  assert.deepEqual(failureVerdictOf(httpError(400)), { outcome: "http_400", fallback: false, retrySameTarget: false, countsAgainstTarget: false });
  assert.equal(failureVerdictOf(httpError(422)).fallback, false);
  assert.deepEqual(failureVerdictOf(httpError(429, 1.5)), { outcome: "http_429", fallback: true, retrySameTarget: true, countsAgainstTarget: true, retryAfterMs: 1500 });
  assert.equal(failureVerdictOf(httpError(503)).retrySameTarget, true);
  assert.deepEqual(failureVerdictOf(httpError(401)), { outcome: "http_401", fallback: true, retrySameTarget: false, countsAgainstTarget: true, retryAfterMs: undefined });
  assert.equal(failureVerdictOf(new UpstreamFailure("connection_reset", "u", "reset")).retrySameTarget, true);
  assert.deepEqual(failureVerdictOf(new UpstreamFailure("timeout_first_byte", "u", "slow")), { outcome: "timeout_first_byte", fallback: true, retrySameTarget: false, countsAgainstTarget: true });
  assert.equal(failureVerdictOf(new UpstreamFailure("malformed_response", "u", "bad")).retrySameTarget, false);
  assert.equal(failureVerdictOf(new UpstreamFailure("cancelled", "u", "gone")).fallback, false);
  assert.equal(new UpstreamFailure("timeout_total", "u", "slow").status, 504);
  assert.equal(new UpstreamFailure("connect", "u", "down").status, 502);
  assert.equal(failureVerdictOf(new SwitchyardError("upstream_timeout", "t")).outcome, "timeout");
  assert.equal(failureVerdictOf(new SwitchyardError("upstream_error", "cancelled", { isRetryable: false })).fallback, false);
  assert.equal(failureVerdictOf(new Error("bug")).fallback, false);
  assert.equal(failureVerdictOf(new SwitchyardError("invalid_request", "x")).fallback, false);
});

test("backoff: full jitter under a doubling ceiling; retry-after honoured when short", () => {
  const policy = createRetryPolicy(retryPolicySchema.parse({ retriesPerTarget: 3, baseDelayMs: 100, maxDelayMs: 300, maxRetryAfterMs: 1000 }), createRandom(5));
  const transient = failureVerdictOf(httpError(503));
  for (let i = 0; i < 50; i++) {
    const first = policy.delayBeforeRetry(transient, 1) ?? -1;
    const third = policy.delayBeforeRetry(transient, 3) ?? -1;
    assert.ok(first >= 0 && first <= 100, `first ${first}`);
    assert.ok(third >= 0 && third <= 300, `third ${third}`);
  }
  const draws = new Set(Array.from({ length: 20 }, () => policy.delayBeforeRetry(transient, 2)));
  assert.ok(draws.size > 10, "jittered, not constant");
  assert.equal(policy.delayBeforeRetry(transient, 4), undefined);
  assert.equal(policy.delayBeforeRetry(failureVerdictOf(httpError(429, 0.8)), 1), 800);
  assert.equal(policy.delayBeforeRetry(failureVerdictOf(httpError(429, 5)), 1), undefined);
  assert.equal(policy.delayBeforeRetry(failureVerdictOf(new UpstreamFailure("timeout_total", "u", "t")), 1), undefined);
});

test("the same seed gives the same delays", () => {
  const config = retryPolicySchema.parse({ retriesPerTarget: 2 });
  const verdict = failureVerdictOf(httpError(500));
  const a = createRetryPolicy(config, createRandom(9));
  const b = createRetryPolicy(config, createRandom(9));
  assert.deepEqual([a.delayBeforeRetry(verdict, 1), a.delayBeforeRetry(verdict, 2)], [b.delayBeforeRetry(verdict, 1), b.delayBeforeRetry(verdict, 2)]);
});
