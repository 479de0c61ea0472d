import { SwitchyardError } from "../core/errors.js";
import { loadOpenAITokenizer } from "../core/openai-tokenizer.js";
import type { BudgetGuard, Reservation } from "../limits/budget-guard.js";
import type { WorstCaseSource } from "../limits/request-worst-cases.js";
import { encodingOfTarget, type BillableTarget } from "../limits/worst-case-cost.js";
import type { ApiKeyRecord } from "../stores/api-key-record.js";

/**
 * Reserves the worst case `target` can bill for this request. First with the prompt's byte bound
 * (free to compute); only when that does not fit the budget, and the target is an OpenAI-family model,
 * with its tokenizer's exact count (loaded on demand) — so the tokenizer costs nothing while a key has
 * room, and a key near its limit is refused only when the exact worst case does not fit.
 */
export async function reserveWorstCase(budgets: BudgetGuard, key: ApiKeyRecord, worstCases: WorstCaseSource, target: BillableTarget): Promise<Reservation> {
  const bound = worstCases.of(target);
  try {
    return await budgets.reserve(key, bound.costUsd);
  } catch (error) {
    const exact = await exactWorstCaseBelow(worstCases, target, bound.costUsd, error);
    if (exact === undefined) throw error;
    return budgets.reserve(key, exact);
  }
}

/** Raises a reservation to `target`'s worst case (a fallback); false when the budget cannot cover it. */
export async function raiseToWorstCase(budgets: BudgetGuard, key: ApiKeyRecord, reservation: Reservation, worstCases: WorstCaseSource, target: BillableTarget): Promise<boolean> {
  const bound = worstCases.of(target);
  if (await budgets.raise(key, reservation, bound.costUsd)) return true;
  const exact = await exactWorstCaseBelow(worstCases, target, bound.costUsd, undefined);
  return exact !== undefined && budgets.raise(key, reservation, exact);
}

/** The exact worst case when it is below the bound's (and the failure was the budget), else undefined. */
async function exactWorstCaseBelow(worstCases: WorstCaseSource, target: BillableTarget, boundUsd: number, error: unknown): Promise<number | undefined> {
  if (error !== undefined && !(error instanceof SwitchyardError && error.code === "budget_exceeded")) return undefined;
  const encoding = encodingOfTarget(target);
  if (encoding === undefined) return undefined;
  // Without the tokenizer (not installed, failed to load) the byte bound stands.
  if (!(await loadOpenAITokenizer(encoding).then(() => true, () => false))) return undefined;
  const exact = worstCases.of(target, true);
  return exact.exact && exact.costUsd < boundUsd ? exact.costUsd : undefined;
}
