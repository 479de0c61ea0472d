import type { Timer } from "../../src/guard/latency-budget.js";

/** A timer whose callbacks run only when the test calls `fire()` — latency budgets without sleeping. */
export function createManualTimer(): { timer: Timer; fire: () => void; pendingCount: () => number } {
  const pending = new Map<number, () => void>();
  let nextId = 0;
  return {
    timer: {
      setTimeout(callback) {
        nextId += 1;
        pending.set(nextId, callback);
        return nextId;
      },
      clearTimeout(handle) {
        pending.delete(handle as number);
      },
    },
    fire() {
      for (const [id, callback] of [...pending]) {
        pending.delete(id);
        callback();
      }
    },
    pendingCount: () => pending.size,
  };
}

/** A promise with its resolve/reject exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}
