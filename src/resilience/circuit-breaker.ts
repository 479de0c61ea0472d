import { z } from "zod";
import type { BreakerPhase, BreakerState } from "../stores/breaker-state.js";
import type { BreakerStateRepository } from "../stores/store.js";

/** Schema of the `resilience.breaker` configuration. */
export const circuitBreakerSchema = z
  .object({
    /** Failures within `windowMs` that open the breaker (with `failureRate`). */
    failureThreshold: z.number().int().min(1).default(5),
    /** Share of failed calls within the window that must also be reached, in (0, 1]. */
    failureRate: z.number().gt(0).max(1).default(0.5),
    /** Sliding window over which failures are counted. */
    windowMs: z.number().int().positive().default(10_000),
    /** First cooldown before a half-open probe; doubles each time the probe fails. */
    cooldownMs: z.number().int().positive().default(5_000),
    maxCooldownMs: z.number().int().positive().default(60_000),
    /** How often shared state is re-read from the store (other instances' opens). */
    syncIntervalMs: z.number().int().positive().default(1_000),
  })
  .strict();

/** Validated breaker settings. */
export type CircuitBreakerConfig = z.infer<typeof circuitBreakerSchema>;

/** Options for {@link createCircuitBreakers}. */
export interface CircuitBreakersOptions {
  config: CircuitBreakerConfig;
  /** Where cooldowns are shared. */
  repository: BreakerStateRepository;
  now: () => number;
  /** Called on every phase change (metrics, logs). */
  onChange?: (targetId: string, phase: BreakerPhase, previous: BreakerPhase) => void;
  /** Called when writing to the store fails (the breaker keeps working locally). */
  onStoreError?: (error: unknown) => void;
}

/** Circuit breakers of every target. */
export interface CircuitBreakers {
  /** Current phase (open turns half-open once its cooldown is over). */
  phase(targetId: string): BreakerPhase;
  /**
   * Targets routing must skip now: open ones, and half-open ones whose single probe is in flight.
   */
  blocked(targetIds: Iterable<string>): Set<string>;
  /**
   * Claims permission to call the target: always when closed, once (the probe) when half-open, never
   * when open. Every `true` must be followed by exactly one `recordSuccess`, `recordFailure` or `release`.
   */
  tryAcquire(targetId: string): boolean;
  recordSuccess(targetId: string): void;
  recordFailure(targetId: string): void;
  /** Ends an acquired call that says nothing about the target's health (the client went away). */
  release(targetId: string): void;
  /** Opens the breaker until `untilMs` at least (an upstream's long `retry-after`). */
  coolDown(targetId: string, untilMs: number): void;
  /** Epoch ms when the earliest of these blocked targets may be probed, if any is open. */
  nextProbeAt(targetIds: Iterable<string>): number | undefined;
  /** Every known target's state. */
  states(): BreakerState[];
  /** Re-reads shared state now (otherwise done lazily every `syncIntervalMs`). */
  sync(): Promise<void>;
  /** Resolves when every store write issued so far has finished. */
  flush(): Promise<void>;
}

const bucketCount = 10;

interface LocalBreaker {
  state: BreakerState;
  probeInFlight: boolean;
  /** Ring of per-slice counts covering `windowMs`. */
  buckets: Array<{ slice: number; failures: number; successes: number }>;
}

/**
 * Per-target circuit breakers (Nygard, *Release It!*, 2007): **closed** counts failures in a sliding
 * window of ten buckets; with at least `failureThreshold` failures that are also at least
 * `failureRate` of the window's calls it **opens** for `cooldownMs` (doubling on each consecutive open
 * up to `maxCooldownMs`); then it is **half-open** and lets exactly one probe through; the probe's
 * success closes it, its failure re-opens it. Routing excludes what `blocked()` returns, so a dead
 * upstream stops receiving traffic as soon as its breaker opens and gets traffic back by itself.
 *
 * The phase and cooldown are written to the store and re-read every `syncIntervalMs`, so instances
 * that share a store share cooldowns; failure counts stay local.
 *
 * @example
 * const breakers = createCircuitBreakers({ config: circuitBreakerSchema.parse({}), repository: store.breakers, now: Date.now });
 */
export function createCircuitBreakers(options: CircuitBreakersOptions): CircuitBreakers {
  const { config, repository, now } = options;
  const bucketMs = Math.max(1, Math.ceil(config.windowMs / bucketCount));
  const breakers = new Map<string, LocalBreaker>();
  let pendingWrites: Promise<void> = Promise.resolve();
  let lastSyncAt = Number.NEGATIVE_INFINITY;
  let syncing: Promise<void> | undefined;

  const breakerOf = (targetId: string): LocalBreaker => {
    let breaker = breakers.get(targetId);
    if (!breaker) {
      breaker = {
        state: { targetId, phase: "closed", openUntil: null, consecutiveOpens: 0, updatedAt: Number.NEGATIVE_INFINITY },
        probeInFlight: false,
        buckets: Array.from({ length: bucketCount }, () => ({ slice: -1, failures: 0, successes: 0 })),
      };
      breakers.set(targetId, breaker);
    }
    return breaker;
  };
  const persist = (state: BreakerState) => {
    const copy = { ...state };
    pendingWrites = pendingWrites.then(() => repository.put(copy)).catch((error: unknown) => options.onStoreError?.(error));
  };
  const transition = (breaker: LocalBreaker, phase: BreakerPhase, openUntil: number | null, consecutiveOpens: number, share: boolean) => {
    const previous = breaker.state.phase;
    // A local-only change (open → half-open) keeps the shared timestamp, so a newer shared state still wins.
    const updatedAt = share ? now() : breaker.state.updatedAt;
    breaker.state = { targetId: breaker.state.targetId, phase, openUntil, consecutiveOpens, updatedAt };
    if (phase !== "half-open") breaker.probeInFlight = false;
    if (phase === "closed") for (const bucket of breaker.buckets) Object.assign(bucket, { slice: -1, failures: 0, successes: 0 });
    if (share) persist(breaker.state);
    if (previous !== phase) options.onChange?.(breaker.state.targetId, phase, previous);
  };
  const open = (breaker: LocalBreaker, atLeastUntil = 0) => {
    const cooldown = Math.min(config.maxCooldownMs, config.cooldownMs * 2 ** breaker.state.consecutiveOpens);
    transition(breaker, "open", Math.max(now() + cooldown, atLeastUntil), breaker.state.consecutiveOpens + 1, true);
  };
  /** Open breakers whose cooldown is over become half-open (locally: every instance may probe once). */
  const current = (breaker: LocalBreaker): BreakerPhase => {
    if (breaker.state.phase === "open" && (breaker.state.openUntil ?? 0) <= now()) {
      transition(breaker, "half-open", breaker.state.openUntil, breaker.state.consecutiveOpens, false);
    }
    return breaker.state.phase;
  };
  const count = (breaker: LocalBreaker, failed: boolean) => {
    const slice = Math.floor(now() / bucketMs);
    const bucket = breaker.buckets[slice % bucketCount] as LocalBreaker["buckets"][number];
    if (bucket.slice !== slice) Object.assign(bucket, { slice, failures: 0, successes: 0 });
    if (failed) bucket.failures++;
    else bucket.successes++;
    let failures = 0;
    let calls = 0;
    for (const entry of breaker.buckets) {
      if (entry.slice <= slice - bucketCount) continue;
      failures += entry.failures;
      calls += entry.failures + entry.successes;
    }
    return { failures, calls };
  };
  const maybeSync = () => {
    if (now() - lastSyncAt >= config.syncIntervalMs && !syncing) void api.sync();
  };

  const api: CircuitBreakers = {
    phase(targetId) {
      maybeSync();
      return current(breakerOf(targetId));
    },
    blocked(targetIds) {
      maybeSync();
      const blocked = new Set<string>();
      for (const targetId of targetIds) {
        const breaker = breakers.get(targetId);
        if (!breaker) continue;
        const phase = current(breaker);
        if (phase === "open" || (phase === "half-open" && breaker.probeInFlight)) blocked.add(targetId);
      }
      return blocked;
    },
    tryAcquire(targetId) {
      const breaker = breakerOf(targetId);
      const phase = current(breaker);
      if (phase === "closed") return true;
      if (phase === "open" || breaker.probeInFlight) return false;
      breaker.probeInFlight = true;
      return true;
    },
    recordSuccess(targetId) {
      const breaker = breakerOf(targetId);
      if (current(breaker) !== "closed") transition(breaker, "closed", null, 0, true);
      else count(breaker, false);
    },
    recordFailure(targetId) {
      const breaker = breakerOf(targetId);
      const phase = current(breaker);
      if (phase === "half-open") return open(breaker);
      if (phase === "open") return;
      const { failures, calls } = count(breaker, true);
      if (failures >= config.failureThreshold && failures / calls >= config.failureRate) open(breaker);
    },
    release(targetId) {
      breakerOf(targetId).probeInFlight = false;
    },
    coolDown(targetId, untilMs) {
      const breaker = breakerOf(targetId);
      if (current(breaker) === "open" && (breaker.state.openUntil ?? 0) >= untilMs) return;
      transition(breaker, "open", untilMs, breaker.state.consecutiveOpens, true);
    },
    nextProbeAt(targetIds) {
      let earliest: number | undefined;
      for (const targetId of targetIds) {
        const breaker = breakers.get(targetId);
        if (!breaker || current(breaker) !== "open") continue;
        const at = breaker.state.openUntil ?? 0;
        if (earliest === undefined || at < earliest) earliest = at;
      }
      return earliest;
    },
    states() {
      return [...breakers.values()].map((breaker) => ({ ...breaker.state, phase: current(breaker) }));
    },
    sync() {
      lastSyncAt = now();
      syncing = (async () => {
        try {
          for (const shared of await repository.all()) {
            const breaker = breakerOf(shared.targetId);
            if (shared.updatedAt <= breaker.state.updatedAt) continue;
            const previous = breaker.state.phase;
            breaker.state = { ...shared };
            if (shared.phase !== "half-open") breaker.probeInFlight = false;
            if (previous !== shared.phase) options.onChange?.(shared.targetId, shared.phase, previous);
          }
        } catch (error) {
          options.onStoreError?.(error);
        } finally {
          syncing = undefined;
        }
      })();
      return syncing;
    },
    flush() {
      return pendingWrites;
    },
  };
  return api;
}
