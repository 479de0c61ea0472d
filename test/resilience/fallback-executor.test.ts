import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { UpstreamFailure } from "../../src/providers/upstream-failure.js";
import type { TraceAttempt } from "../../src/stores/trace-record.js";
import { resilienceKit } from "./helpers.js";

const httpError = (status: number, retryAfterSeconds?: number) =>
  Object.assign(new SwitchyardError(status >= 500 || status === 429 ? "upstream_error" : "upstream_rejected" as "upstream_error", `http ${status}`, { retryAfterSeconds }), { upstreamStatus: status });

/** A scripted upstream per target: a list of results consumed in order (last one repeats). */
function scripted(script: Record<string, Array<Error | string>>) {
  const calls: string[] = [];
  const call = async ({ target, attempt }: { target: string; attempt: number }) => {
    calls.push(`${target}#${attempt}`);
    const results = script[target] ?? ["ok"];
    const result = results.length > 1 ? results.shift() : results[0];
    if (result instanceof Error) throw result;
    return `${target}:${result}`;
  };
  return { calls, call };
}

test("a transient failure is retried on the same target, then served", async () => {
  const { executor, clock } = resilienceKit({ retry: { retriesPerTarget: 1, baseDelayMs: 100 } });
  const { calls, call } = scripted({ a: [httpError(503), "ok"] });
  const attempts: TraceAttempt[] = [];
  const result = await executor.execute({ candidates: ["a", "b"], call, onAttempt: (attempt) => attempts.push(attempt) });
  assert.deepEqual(result, { value: "a:ok", target: "a", fallbacks: 0 });
  assert.deepEqual(calls, ["a#1", "a#2"]);
  assert.equal(clock.slept.length, 1);
  assert.ok((clock.slept[0] ?? -1) >= 0 && (clock.slept[0] ?? 999) <= 100);
  assert.deepEqual(attempts.map((attempt) => [attempt.target, attempt.outcome, attempt.status]), [["a", "http_503", 503], ["a", "ok", undefined]]);
});

test("falls back to the next candidate after retries are spent", async () => {
  const { executor } = resilienceKit({ retry: { retriesPerTarget: 1 } });
  const { calls, call } = scripted({ a: [httpError(500)], b: [new UpstreamFailure("connection_reset", "b", "reset")], c: ["ok"] });
  const result = await executor.execute({ candidates: ["a", "b", "c"], call });
  assert.equal(result.target, "c");
  assert.equal(result.fallbacks, 2);
  assert.deepEqual(calls, ["a#1", "a#2", "b#1", "b#2", "c#1"]);
});

test("429 with a short retry-after waits exactly that long; a long one falls back and cools the target down", async () => {
  const { executor, clock, breakers } = resilienceKit({ retry: { maxRetryAfterMs: 2_000 } });
  const short = scripted({ a: [httpError(429, 1.2), "ok"] });
  await executor.execute({ candidates: ["a"], call: short.call });
  assert.deepEqual(clock.slept, [1_200]);
  const long = scripted({ a: [httpError(429, 30)], b: ["ok"] });
  const result = await executor.execute({ candidates: ["a", "b"], call: long.call });
  assert.equal(result.target, "b");
  assert.deepEqual(long.calls, ["a#1", "b#1"]);
  assert.equal(breakers.phase("a"), "open");
  assert.equal(breakers.nextProbeAt(["a"]), clock.time + 30_000);
});

test("timeouts and malformed answers fall back without a same-target retry", async () => {
  const { executor } = resilienceKit({ retry: { retriesPerTarget: 2 } });
  const { calls, call } = scripted({ a: [new UpstreamFailure("timeout_first_byte", "a", "slow")], b: [new UpstreamFailure("malformed_response", "b", "bad")], c: ["ok"] });
  assert.equal((await executor.execute({ candidates: ["a", "b", "c"], call })).target, "c");
  assert.deepEqual(calls, ["a#1", "b#1", "c#1"]);
});

test("a request the upstream rejects (400) is not retried nor sent elsewhere", async () => {
  const { executor, breakers } = resilienceKit();
  const { calls, call } = scripted({ a: [httpError(400)] });
  await assert.rejects(executor.execute({ candidates: ["a", "b"], call }), { upstreamStatus: 400 });
  assert.deepEqual(calls, ["a#1"]);
  assert.equal(breakers.phase("a"), "closed");
  assert.equal(breakers.tryAcquire("a"), true);
});

test("every candidate failing gives one upstream_error naming the attempts; timeouts give 504", async () => {
  const { executor } = resilienceKit({ retry: { retriesPerTarget: 0 } });
  const failing = scripted({ a: [httpError(500)], b: [new UpstreamFailure("connect", "b", "refused")] });
  await assert.rejects(executor.execute({ candidates: ["a", "b"], call: failing.call }), (error: SwitchyardError) => {
    assert.equal(error.code, "upstream_error");
    assert.equal(error.status, 502);
    assert.match(error.message, /a http_500; b connect/);
    return true;
  });
  const slow = scripted({ a: [new UpstreamFailure("timeout_total", "a", "slow")] });
  await assert.rejects(executor.execute({ candidates: ["a"], call: slow.call }), { code: "upstream_timeout", status: 504 });
});

test("maxAttempts bounds the whole request", async () => {
  const { executor } = resilienceKit({ retry: { retriesPerTarget: 5, maxAttempts: 3 } });
  const { calls, call } = scripted({ a: [httpError(502)], b: ["ok"] });
  await assert.rejects(executor.execute({ candidates: ["a", "b"], call }), { code: "upstream_error" });
  assert.deepEqual(calls, ["a#1", "a#2", "a#3"]);
});

test("open breakers are skipped; when all are open the error carries retry-after", async () => {
  const { executor, breakers, clock } = resilienceKit({ breaker: { failureThreshold: 1, cooldownMs: 4_000 } });
  breakers.recordFailure("a");
  const { calls, call } = scripted({ b: ["ok"] });
  assert.equal((await executor.execute({ candidates: ["a", "b"], call })).target, "b");
  assert.deepEqual(calls, ["b#1"]);
  breakers.recordFailure("b");
  clock.time += 1_000;
  await assert.rejects(executor.execute({ candidates: ["a", "b"], call }), (error: SwitchyardError) => {
    assert.equal(error.code, "upstream_error");
    assert.match(error.message, /circuit breakers are open for a, b/);
    assert.equal(error.retryAfterSeconds, 3);
    return true;
  });
});

test("a dead target opens its breaker and stops receiving traffic; it comes back after the cooldown", async () => {
  const { executor, clock } = resilienceKit({ breaker: { failureThreshold: 3, cooldownMs: 5_000 }, retry: { retriesPerTarget: 0 } });
  let aHealthy = false;
  const calls: string[] = [];
  const call = async ({ target }: { target: string }) => {
    calls.push(target);
    if (target === "a" && !aHealthy) throw new UpstreamFailure("connect", "a", "refused");
    return target;
  };
  for (let i = 0; i < 10; i++) assert.equal((await executor.execute({ candidates: ["a", "b"], call })).target, "b");
  assert.equal(calls.filter((target) => target === "a").length, 3, "a gets no traffic once open");
  aHealthy = true;
  clock.time += 5_000;
  assert.equal((await executor.execute({ candidates: ["a", "b"], call })).target, "a", "the probe succeeds and a is back");
  assert.equal((await executor.execute({ candidates: ["a", "b"], call })).target, "a");
});

test("admit can skip a candidate (budget) and a cancelled client stops everything", async () => {
  const { executor } = resilienceKit();
  const { calls, call } = scripted({ a: [httpError(500)], b: ["ok"], c: ["ok"] });
  const result = await executor.execute({ candidates: ["a", "b", "c"], call, admit: (target) => target !== "b" });
  assert.equal(result.target, "c");
  assert.deepEqual(calls, ["a#1", "a#2", "c#1"]);
  const controller = new AbortController();
  const cancelling = async () => {
    controller.abort();
    throw new UpstreamFailure("cancelled", "a", "gone");
  };
  await assert.rejects(executor.execute({ candidates: ["a", "b"], call: cancelling, signal: controller.signal }), { kind: "cancelled" });
});

test("unexpected errors (bugs) propagate unchanged and release the probe", async () => {
  const { executor } = resilienceKit();
  const bug = new TypeError("oops");
  await assert.rejects(executor.execute({ candidates: ["a"], call: async () => { throw bug; } }), bug);
});

test("when the last upstream refused with a client status, its own error is passed on", async () => {
  const { executor } = resilienceKit({ retry: { retriesPerTarget: 0 } });
  const notFound = httpError(404);
  const { call } = scripted({ a: [httpError(500)], b: [notFound] });
  await assert.rejects(executor.execute({ candidates: ["a", "b"], call }), (error) => error === notFound);
});
