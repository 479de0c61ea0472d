/** How routing tightens as a key approaches its budget. */
export interface BudgetCostCapOptions {
  /** Below this fraction of the budget left, the cap shrinks (default 0.2). */
  lowBudgetFraction?: number;
  /** In the low zone, the rest of the budget is spread over at least this many requests (default 50). */
  spreadOverRequests?: number;
}

/**
 * The `maxCostUsd` routing constraint for a key with `budgetUsd` of which `remainingUsd` is left:
 * - always at most the remaining budget (a candidate predicted to cost more cannot be afforded);
 * - once less than `lowBudgetFraction` (20%) of the budget is left, at most
 *   `remainingUsd / spreadOverRequests` (1/50 of what is left), so the last fifth of a budget is
 *   spread over at least 50 more requests: the router keeps choosing by its objective but only
 *   among candidates predicted to cost less, i.e. a key near its limit is routed cheaper.
 * Returns undefined for keys without a budget.
 */
export function budgetCostCapUsd(budgetUsd: number | null, remainingUsd: number, options: BudgetCostCapOptions = {}): number | undefined {
  if (budgetUsd === null) return undefined;
  const remaining = Math.max(0, remainingUsd);
  const lowFraction = options.lowBudgetFraction ?? 0.2;
  const spread = options.spreadOverRequests ?? 50;
  if (remaining < budgetUsd * lowFraction) return remaining / spread;
  return remaining;
}
