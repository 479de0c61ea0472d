/** Schedules and cancels callbacks; injected so tests can fire a latency budget without waiting. */
export interface Timer {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real timer (Node's global `setTimeout`). */
export const systemTimer: Timer = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What became of work raced against a latency budget. */
export type BudgetOutcome<T> = { status: "done"; value: T } | { status: "timeout" } | { status: "error"; error: unknown };

/**
 * Races `work` against `budgetMs` (Promise.race with a timer): resolves with the value if it comes in
 * time, `timeout` when the budget runs out first, `error` if the work fails. Never rejects, so the hot
 * path can fall back to its fast decision. A late result is ignored (the work is not cancelled).
 *
 * @example
 * const outcome = await withinLatencyBudget(judge(prompt), 150);
 * const route = outcome.status === "done" ? parse(outcome.value) : embeddingRoute;
 */
export function withinLatencyBudget<T>(work: Promise<T>, budgetMs: number, timer: Timer = systemTimer): Promise<BudgetOutcome<T>> {
  return new Promise((resolve) => {
    let settled = false;
    const handle = timer.setTimeout(() => {
      if (settled) return;
      settled = true;
      resolve({ status: "timeout" });
    }, budgetMs);
    work.then(
      (value) => {
        if (settled) return;
        settled = true;
        timer.clearTimeout(handle);
        resolve({ status: "done", value });
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        timer.clearTimeout(handle);
        resolve({ status: "error", error });
      },
    );
  });
}
