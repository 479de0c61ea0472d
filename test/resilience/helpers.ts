import { createRandom } from "../../src/core/random.js";
import { circuitBreakerSchema, createCircuitBreakers } from "../../src/resilience/circuit-breaker.js";
import type { CircuitBreakerConfig } from "../../src/resilience/circuit-breaker.js";
import { createFallbackExecutor } from "../../src/resilience/fallback-executor.js";
import { createRetryPolicy, retryPolicySchema } from "../../src/resilience/retry-policy.js";
import type { RetryPolicyConfig } from "../../src/resilience/retry-policy.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";

/** A manual clock whose sleep advances it, so retries and cooldowns need no real waiting. */
export function fakeClock(start = 1_000_000) {
  const clock = {
    time: start,
    slept: [] as number[],
    now: () => clock.time,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.time += ms;
    },
  };
  return clock;
}

/** Breakers, retry policy and executor over a memory store and a fake clock. */
export function resilienceKit(options: { breaker?: Partial<CircuitBreakerConfig>; retry?: Partial<RetryPolicyConfig>; seed?: number } = {}) {
  const clock = fakeClock();
  const store = createMemoryStore();
  const changes: string[] = [];
  const breakers = createCircuitBreakers({
    config: circuitBreakerSchema.parse(options.breaker ?? {}),
    repository: store.breakers,
    now: clock.now,
    onChange: (target, phase, previous) => changes.push(`${target}:${previous}->${phase}`),
  });
  const policy = createRetryPolicy(retryPolicySchema.parse(options.retry ?? {}), createRandom(options.seed ?? 1));
  const executor = createFallbackExecutor({ policy, breakers, now: clock.now, sleep: clock.sleep });
  return { clock, store, breakers, policy, executor, changes };
}
