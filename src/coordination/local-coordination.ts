import { createRateLimiter } from "../limits/rate-limiter.js";
import type { Store } from "../stores/store.js";
import type { Broadcast, Coordination } from "./coordination.js";

/** Broadcast within this process: listeners are called synchronously by `publish`. */
export function createLocalBroadcast(): Broadcast {
  const listeners: Array<(message: string | undefined) => void> = [];
  return {
    async publish(message) {
      for (const listener of listeners) listener(message);
    },
    subscribe(listener) {
      listeners.push(listener);
    },
  };
}

/**
 * The single-instance {@link Coordination}: the in-process token-bucket rate limiter, the store's usage
 * ledger for budget reservations (atomic in the store; cleared when the process starts), the store's
 * breaker-state repository, and broadcasts that stay in the process. This is what runs without a
 * `coordination` setting; several processes on it each enforce the full rate limits by themselves.
 */
export function createLocalCoordination(options: { store: Store; now: () => number }): Coordination {
  const { store } = options;
  return {
    kind: "local",
    rateLimiter: createRateLimiter({ now: options.now }),
    budgets: store.usage,
    breakers: store.breakers,
    revocations: createLocalBroadcast(),
    learning: createLocalBroadcast(),
    shared: false,
    async close() {},
  };
}
