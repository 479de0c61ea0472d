import assert from "node:assert/strict";
import { test } from "node:test";
import { createRateLimiter } from "../../src/limits/rate-limiter.js";

test("rpm: a minute's burst, then 429 with the seconds until the next request", () => {
  let clock = 0;
  const limiter = createRateLimiter({ now: () => clock });
  const limits = { rpm: 3, tpm: null };
  for (let i = 0; i < 3; i++) limiter.admit("k", limits, 0);
  assert.throws(() => limiter.admit("k", limits, 0), { code: "rate_limited", status: 429, retryAfterSeconds: 20 });
  clock += 19_000;
  assert.throws(() => limiter.admit("k", limits, 0), { retryAfterSeconds: 1 });
  clock += 1_000;
  limiter.admit("k", limits, 0);
  assert.throws(() => limiter.admit("k", limits, 0));
  limiter.admit("other", limits, 0);
});

test("tpm: debt model — a big request is admitted, then nothing until refilled above zero", () => {
  let clock = 0;
  const limiter = createRateLimiter({ now: () => clock });
  const limits = { rpm: null, tpm: 600 };
  limiter.admit("k", limits, 900);
  assert.throws(() => limiter.admit("k", limits, 1), { code: "rate_limited", retryAfterSeconds: 31 });
  clock += 31_000;
  limiter.admit("k", limits, 10);
});

test("tpm corrections book the real usage", () => {
  const limiter = createRateLimiter({ now: () => 0 });
  const limits = { rpm: null, tpm: 100 };
  limiter.admit("k", limits, 10);
  limiter.correctTokens("k", limits, 10, 200);
  assert.throws(() => limiter.admit("k", limits, 1), { code: "rate_limited" });
  limiter.correctTokens("k", limits, 200, 0);
  limiter.admit("k", limits, 1);
  limiter.correctTokens("k", { rpm: null, tpm: null }, 0, 1_000_000);
});

test("no limits, no state", () => {
  const limiter = createRateLimiter({ now: () => 0 });
  for (let i = 0; i < 1000; i++) limiter.admit("k", { rpm: null, tpm: null }, 1e9);
});
