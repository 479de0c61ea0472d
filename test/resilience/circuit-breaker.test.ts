import assert from "node:assert/strict";
import { test } from "node:test";
import { circuitBreakerSchema, createCircuitBreakers } from "../../src/resilience/circuit-breaker.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { resilienceKit } from "./helpers.js";

test("opens after N failures in the window, half-opens after the cooldown, closes on a successful probe", async () => {
  const { breakers, clock, changes, store } = resilienceKit({ breaker: { failureThreshold: 3, windowMs: 10_000, cooldownMs: 5_000 } });
  for (let i = 0; i < 2; i++) {
    assert.equal(breakers.tryAcquire("a"), true);
    breakers.recordFailure("a");
  }
  assert.equal(breakers.phase("a"), "closed");
  breakers.tryAcquire("a");
  breakers.recordFailure("a");
  assert.equal(breakers.phase("a"), "open");
  assert.deepEqual([...breakers.blocked(["a", "b"])], ["a"]);
  assert.equal(breakers.tryAcquire("a"), false);
  assert.equal(breakers.nextProbeAt(["a"]), clock.time + 5_000);
  await breakers.flush();
  assert.equal((await store.breakers.all())[0]?.phase, "open", "the cooldown is shared through the store");

  clock.time += 5_000;
  assert.equal(breakers.phase("a"), "half-open");
  assert.equal(breakers.blocked(["a"]).size, 0);
  assert.equal(breakers.tryAcquire("a"), true, "one probe");
  assert.equal(breakers.tryAcquire("a"), false, "only one probe");
  assert.deepEqual([...breakers.blocked(["a"])], ["a"]);
  breakers.recordSuccess("a");
  assert.equal(breakers.phase("a"), "closed");
  assert.deepEqual(changes, ["a:closed->open", "a:open->half-open", "a:half-open->closed"]);
  await breakers.flush();
  assert.equal((await store.breakers.all())[0]?.phase, "closed");
});

test("a failed probe re-opens with a doubled cooldown, capped", () => {
  const { breakers, clock } = resilienceKit({ breaker: { failureThreshold: 1, cooldownMs: 1_000, maxCooldownMs: 3_000 } });
  breakers.tryAcquire("a");
  breakers.recordFailure("a");
  const cooldowns: number[] = [];
  for (let i = 0; i < 4; i++) {
    const until = breakers.nextProbeAt(["a"]) ?? 0;
    cooldowns.push(until - clock.time);
    clock.time = until;
    assert.equal(breakers.tryAcquire("a"), true);
    breakers.recordFailure("a");
  }
  assert.deepEqual(cooldowns, [1_000, 2_000, 3_000, 3_000]);
});

test("failures outside the window and a low failure rate do not open", () => {
  const { breakers, clock } = resilienceKit({ breaker: { failureThreshold: 3, windowMs: 10_000, failureRate: 0.5 } });
  breakers.recordFailure("a");
  breakers.recordFailure("a");
  clock.time += 11_000;
  breakers.recordFailure("a");
  assert.equal(breakers.phase("a"), "closed", "old failures slid out of the window");
  for (let i = 0; i < 10; i++) breakers.recordSuccess("a");
  breakers.recordFailure("a");
  breakers.recordFailure("a");
  assert.equal(breakers.phase("a"), "closed", "3 failures of 13 calls is below 50%");
  for (let i = 0; i < 10; i++) breakers.recordFailure("a");
  assert.equal(breakers.phase("a"), "open");
});

test("release frees a probe without a verdict; coolDown opens until a time", () => {
  const { breakers, clock } = resilienceKit({ breaker: { failureThreshold: 1, cooldownMs: 1_000 } });
  breakers.recordFailure("a");
  clock.time += 1_000;
  assert.equal(breakers.tryAcquire("a"), true);
  breakers.release("a");
  assert.equal(breakers.tryAcquire("a"), true);
  breakers.recordSuccess("a");
  breakers.coolDown("b", clock.time + 30_000);
  assert.equal(breakers.phase("b"), "open");
  breakers.coolDown("b", clock.time + 10_000);
  assert.equal(breakers.nextProbeAt(["b"]), clock.time + 30_000, "a shorter cooldown does not shorten an open breaker");
  assert.deepEqual(breakers.states().map((state) => [state.targetId, state.phase]), [["a", "closed"], ["b", "open"]]);
});

test("two instances sharing a store share cooldowns", async () => {
  const store = createMemoryStore();
  let time = 5_000;
  const now = () => time;
  const config = circuitBreakerSchema.parse({ failureThreshold: 1, cooldownMs: 10_000, syncIntervalMs: 1_000 });
  const first = createCircuitBreakers({ config, repository: store.breakers, now });
  const second = createCircuitBreakers({ config, repository: store.breakers, now });
  await second.sync();
  first.recordFailure("a");
  await first.flush();
  assert.equal(second.phase("a"), "closed", "not yet re-read");
  await second.sync();
  assert.equal(second.phase("a"), "open");
  time += 10_000;
  assert.equal(second.tryAcquire("a"), true);
  second.recordSuccess("a");
  await second.flush();
  time += 1_000;
  first.blocked(["a"]);
  await first.flush();
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(first.phase("a"), "closed", "the other instance's close is adopted by the lazy sync");
});

test("store errors are reported, not thrown", async () => {
  const errors: unknown[] = [];
  const breakers = createCircuitBreakers({
    config: circuitBreakerSchema.parse({ failureThreshold: 1 }),
    repository: { all: async () => { throw new Error("down"); }, put: async () => { throw new Error("down"); } },
    now: () => 0,
    onStoreError: (error) => errors.push(error),
  });
  breakers.recordFailure("a");
  await breakers.flush();
  await breakers.sync();
  assert.equal(breakers.phase("a"), "open");
  assert.equal(errors.length, 2);
});
