import { realTimers, type TimerFunctions } from "../resilience/timeouts.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/** Outcome of {@link withDeadline}: the value, or `timedOut` when the budget ran out first. */
export type DeadlineOutcome<T> = { timedOut: false; value: T } | { timedOut: true };

/**
 * Runs `work` with a latency budget: after `budgetMs` the signal passed to `work` is aborted and the
 * outcome is `timedOut` without waiting for `work` to settle (Promise.race), so a slow upstream can
 * never hold a strategy past its budget. A `parent` signal that aborts aborts `work` too (and rejects).
 * Errors of `work` are rethrown.
 */
export async function withDeadline<T>(
  work: (signal: AbortSignal) => Promise<T>,
  options: { budgetMs: number; parent?: CancelSignal; timers?: TimerFunctions },
): Promise<DeadlineOutcome<T>> {
  const timers = options.timers ?? realTimers;
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(options.parent?.reason);
  if (options.parent?.aborted) controller.abort(options.parent.reason);
  options.parent?.addEventListener("abort", onParentAbort, { once: true });
  let handle: unknown;
  const expired = new Promise<DeadlineOutcome<T>>((resolve) => {
    handle = timers.setTimeout(() => {
      controller.abort(new Error(`latency budget of ${options.budgetMs} ms exceeded`));
      resolve({ timedOut: true });
    }, Math.max(0, options.budgetMs));
  });
  try {
    const running = work(controller.signal).then((value): DeadlineOutcome<T> => ({ timedOut: false, value }));
    return await Promise.race([running, expired]);
  } finally {
    timers.clearTimeout(handle);
    options.parent?.removeEventListener("abort", onParentAbort);
  }
}
