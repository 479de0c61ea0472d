import { SwitchyardError } from "../core/errors.js";
import type { GatewayLogger } from "../gateway/gateway-logger.js";
import { BudgetPacer, type BudgetPacerState } from "../limits/budget-pacer.js";
import { periodEndOf, periodStartOf } from "../limits/budget-period.js";
import type { ApiKeyRecord, BudgetPeriod } from "../stores/api-key-record.js";
import type { Store } from "../stores/store.js";
import type { LearningConfig } from "./learning-config.js";

/** The usage-ledger account the global learning budget reserves against (not an API key). */
export const globalBudgetAccount = "learning:global";

/** What one request holds against the paced budgets until it ends. */
export interface PacingTicket {
  /** Pacer scopes that learn from this request's cost (`global`, `key:<id>`). */
  scopes: string[];
  /** Money held against the global budget (0 without one). */
  reservedUsd: number;
  periodStart: number;
}

/** Routing constraints from the pacers for one request. */
export interface PacingConstraints {
  /** The hard guard: the largest predicted cost a candidate may have (smallest over the paced budgets). */
  maxCostUsd: number;
  /** The pacers' multipliers applied to the request's willingness-to-pay. */
  adjustWillingnessToPay: (willingnessToPay: number) => number;
}

/**
 * Budget pacing in the gateway: a period budget (`learning.budget`, and with `learning.paceKeyBudgets`
 * each key's own budget) is spent by pacing instead of refusing. Each budget has a `BudgetPacer` (dual
 * descent on the willingness-to-pay): routed requests choose with the paced willingness-to-pay among the
 * candidates whose predicted cost fits the pacer's hard guard, so quality is bought where it is cheap and
 * the money lasts the period. The hard guarantee stays the reservation: every request reserves its
 * upper-estimate cost against the global budget in the usage ledger (atomic, like keys' budgets) before any
 * upstream call, and is refused with `budget_exceeded` only when even that cannot be held. Pacer states
 * are written to the store after each turn that changed them, and loaded from it on first use.
 */
export interface GatewayBudgetPacing {
  /** Constraints for a routed request of `key`; undefined when no budget applies. */
  constraints(key: ApiKeyRecord | null): Promise<PacingConstraints | undefined>;
  /** Holds `estimatedUsd` against the global budget (throws `budget_exceeded`); undefined when nothing is paced for this request. */
  reserve(key: ApiKeyRecord | null, estimatedUsd: number): Promise<PacingTicket | undefined>;
  /** Raises the held amount (a fallback to a costlier target); false when the budget cannot cover it. */
  raise(ticket: PacingTicket, estimatedUsd: number): Promise<boolean>;
  /** Releases the hold and books the real cost; the pacers learn from it when the request was answered. */
  settle(ticket: PacingTicket, costUsd: number, answered: boolean, predictedCostUsd?: number): void;
  /** Writes the pacers' states. */
  flush(): Promise<void>;
}

/** Options of {@link createBudgetPacing}. */
export interface BudgetPacingOptions {
  config: LearningConfig;
  store: Store;
  now?: () => number;
  logger?: GatewayLogger;
}

/** Builds the gateway's budget pacing; undefined when neither a global budget nor key pacing is configured. */
export function createBudgetPacing(options: BudgetPacingOptions): GatewayBudgetPacing | undefined {
  const { config, store } = options;
  const budget = config.budget;
  if (budget === undefined && !config.paceKeyBudgets) return undefined;
  const now = options.now ?? Date.now;
  const pacers = new Map<string, Promise<BudgetPacer>>();
  const dirty = new Set<string>();
  let writeScheduled = false;

  const pacerFor = (scope: string, budgetUsd: number, period: Exclude<BudgetPeriod, "total">): Promise<BudgetPacer> => {
    let pacer = pacers.get(scope);
    if (pacer === undefined) {
      pacer = store.learning.pacerState(scope).then((text) => {
        const state = text === undefined ? undefined : (JSON.parse(text) as BudgetPacerState);
        return new BudgetPacer({ budgetUsd, periodBounds: (at) => ({ startMs: periodStartOf(period, at), endMs: periodEndOf(period, at) }) }, state);
      });
      pacers.set(scope, pacer);
    }
    return pacer;
  };
  const pacedKey = (key: ApiKeyRecord | null): key is ApiKeyRecord & { budgetUsd: number } => config.paceKeyBudgets && key !== null && key.budgetUsd !== null && key.budgetPeriod !== "total";
  const scopedPacers = async (key: ApiKeyRecord | null): Promise<Array<[string, BudgetPacer]>> => {
    const found: Array<[string, BudgetPacer]> = [];
    if (budget !== undefined) found.push(["global", await pacerFor("global", budget.usd, budget.period)]);
    if (pacedKey(key)) found.push([`key:${key.id}`, await pacerFor(`key:${key.id}`, key.budgetUsd, key.budgetPeriod as Exclude<BudgetPeriod, "total">)]);
    return found;
  };
  const write = async (): Promise<void> => {
    writeScheduled = false;
    const scopes = [...dirty];
    dirty.clear();
    for (const scope of scopes) {
      const pacer = await pacers.get(scope);
      if (pacer !== undefined) await store.learning.putPacerState(scope, JSON.stringify(pacer.toState()));
    }
  };
  const scheduleWrite = (): void => {
    if (writeScheduled) return;
    writeScheduled = true;
    setImmediate(() => void write().catch((error: unknown) => options.logger?.error({ error: String(error) }, "budget pacer states could not be written")));
  };
  const exceeded = (estimatedUsd: number, left: number, at: number) =>
    new SwitchyardError("budget_exceeded", `The gateway's ${budget?.period} budget of $${budget?.usd} (learning.budget) has $${left.toFixed(6)} left; this request may cost up to $${estimatedUsd.toFixed(6)}`, {
      retryAfterSeconds: budget === undefined ? undefined : Math.max(1, Math.ceil((periodEndOf(budget.period, at) - at) / 1000)),
    });

  return {
    async constraints(key) {
      const found = await scopedPacers(key);
      if (found.length === 0) return undefined;
      const at = now();
      const maxCostUsd = Math.min(...found.map(([, pacer]) => pacer.maxCostUsd(at)));
      const multiplier = found.reduce((product, [, pacer]) => product * pacer.multiplier(at), 1);
      return { maxCostUsd, adjustWillingnessToPay: (willingnessToPay) => willingnessToPay * multiplier };
    },
    async reserve(key, estimatedUsd) {
      const scopes = (await scopedPacers(key)).map(([scope]) => scope);
      if (scopes.length === 0) return undefined;
      const at = now();
      if (budget === undefined) return { scopes, reservedUsd: 0, periodStart: 0 };
      const periodStart = periodStartOf(budget.period, at);
      const amountUsd = Math.max(0, estimatedUsd);
      const result = await store.usage.reserve({ keyId: globalBudgetAccount, periodStart, amountUsd, limitUsd: budget.usd });
      if (!result.ok) throw exceeded(amountUsd, budget.usd - result.totals.spentUsd - result.totals.reservedUsd, at);
      return { scopes, reservedUsd: amountUsd, periodStart };
    },
    async raise(ticket, estimatedUsd) {
      if (budget === undefined || estimatedUsd <= ticket.reservedUsd) return true;
      const result = await store.usage.reserve({ keyId: globalBudgetAccount, periodStart: ticket.periodStart, amountUsd: estimatedUsd - ticket.reservedUsd, limitUsd: budget.usd });
      if (result.ok) ticket.reservedUsd = estimatedUsd;
      return result.ok;
    },
    settle(ticket, costUsd, answered, predictedCostUsd) {
      if (budget !== undefined) {
        store.usage
          .settle({ keyId: globalBudgetAccount, periodStart: ticket.periodStart, reservedUsd: ticket.reservedUsd, actualUsd: Math.max(0, costUsd), inputTokens: 0, outputTokens: 0 })
          .catch((error: unknown) => options.logger?.error({ error: String(error) }, "settling the global budget failed"));
      }
      if (!answered) return;
      const at = now();
      for (const scope of ticket.scopes) {
        void pacers.get(scope)?.then((pacer) => {
          pacer.record(costUsd, at, predictedCostUsd);
          dirty.add(scope);
          scheduleWrite();
        });
      }
    },
    async flush() {
      await Promise.all([...pacers.values()]);
      await write();
    },
  };
}
