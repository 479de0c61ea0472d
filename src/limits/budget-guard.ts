import { SwitchyardError } from "../core/errors.js";
import type { ApiKeyRecord } from "../stores/api-key-record.js";
import { randomUUID } from "node:crypto";
import type { BudgetLedger } from "../coordination/coordination.js";
import type { Store, UsageTotals } from "../stores/store.js";
import { budgetCostCapUsd, type BudgetCostCapOptions } from "./budget-cost-cap.js";
import { periodEndOf, periodStartOf } from "./budget-period.js";

/** Money held for one in-flight request. */
export interface Reservation {
  /** Names the reservation in a shared ledger (where it expires if never settled). */
  id: string;
  keyId: string;
  periodStart: number;
  /** USD held; 0 for keys without a budget (usage is still booked at settlement). */
  amountUsd: number;
}

/** What a finished request really used. */
export interface RealUsage {
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
}

/** Reserve-then-settle budget enforcement. */
export interface BudgetGuard {
  /** Holds `estimatedUsd` against the key's budget or throws `budget_exceeded` (429). */
  reserve(key: ApiKeyRecord, estimatedUsd: number): Promise<Reservation>;
  /**
   * Raises a reservation to `estimatedUsd` (e.g. a fallback to a costlier target); false — and the
   * reservation unchanged — when the budget cannot cover the difference.
   */
  raise(key: ApiKeyRecord, reservation: Reservation, estimatedUsd: number): Promise<boolean>;
  /** Releases the reservation and books the real cost and tokens. */
  settle(reservation: Reservation, usage: RealUsage): Promise<void>;
  /** Spend of the key's current period. */
  totals(key: ApiKeyRecord): Promise<UsageTotals>;
  /** The routing cost cap for the key (see `budgetCostCapUsd`); undefined without a budget. */
  costCapUsd(key: ApiKeyRecord): Promise<number | undefined>;
}

/** Options for {@link createBudgetGuard}. */
export interface BudgetGuardOptions extends BudgetCostCapOptions {
  store: Store;
  now: () => number;
  /** Where reservations are held (default `store.usage`; the Redis coordination's ledger to share them). */
  ledger?: BudgetLedger;
}

/**
 * Budgets that hold under concurrency: each request reserves an upper estimate of its cost before any
 * upstream call (`UsageLedger.reserve` is atomic), and settles with the real cost afterwards. With a
 * key that can afford ten requests, fifty concurrent ones get ten reservations and forty 429s.
 * The real cost can exceed the estimate only when the upstream's token count is above the estimate
 * (prompt tokens are estimated at four characters per token); that overshoot is booked, and the next
 * reservation sees it.
 *
 * @example
 * const reservation = await budgets.reserve(key, estimatedUsd);
 * try { ... } finally { await budgets.settle(reservation, usage); }
 */
export function createBudgetGuard(options: BudgetGuardOptions): BudgetGuard {
  const { store, now } = options;
  const ledger: BudgetLedger = options.ledger ?? store.usage;
  const ledgerTotals = (key: ApiKeyRecord) => ledger.totals(key.id, periodStartOf(key.budgetPeriod, now()));

  const exceeded = (key: ApiKeyRecord, totals: UsageTotals, estimatedUsd: number, at: number) => {
    const end = periodEndOf(key.budgetPeriod, at);
    const retryAfterSeconds = Number.isFinite(end) ? Math.max(1, Math.ceil((end - at) / 1000)) : undefined;
    const left = Math.max(0, (key.budgetUsd ?? 0) - totals.spentUsd - totals.reservedUsd);
    return new SwitchyardError(
      "budget_exceeded",
      `The key "${key.name}" has $${left.toFixed(6)} of its $${key.budgetUsd} ${key.budgetPeriod === "total" ? "total" : `per-${key.budgetPeriod}`} budget left; this request may cost up to $${estimatedUsd.toFixed(6)}`,
      { retryAfterSeconds },
    );
  };

  return {
    async reserve(key, estimatedUsd) {
      const at = now();
      const periodStart = periodStartOf(key.budgetPeriod, at);
      if (key.budgetUsd === null) return { id: "", keyId: key.id, periodStart, amountUsd: 0 };
      const amountUsd = Math.max(0, estimatedUsd);
      const id = randomUUID();
      const result = await ledger.reserve({ keyId: key.id, periodStart, amountUsd, limitUsd: key.budgetUsd, reservationId: id });
      if (!result.ok) throw exceeded(key, result.totals, amountUsd, at);
      return { id, keyId: key.id, periodStart, amountUsd };
    },
    async raise(key, reservation, estimatedUsd) {
      if (key.budgetUsd === null || estimatedUsd <= reservation.amountUsd) return true;
      const extra = estimatedUsd - reservation.amountUsd;
      const result = await ledger.reserve({ keyId: key.id, periodStart: reservation.periodStart, amountUsd: extra, limitUsd: key.budgetUsd, reservationId: reservation.id });
      if (result.ok) reservation.amountUsd = estimatedUsd;
      return result.ok;
    },
    async settle(reservation, usage) {
      await ledger.settle({
        reservationId: reservation.id,
        keyId: reservation.keyId,
        periodStart: reservation.periodStart,
        reservedUsd: reservation.amountUsd,
        actualUsd: Math.max(0, usage.costUsd),
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
      });
    },
    totals: ledgerTotals,
    async costCapUsd(key) {
      if (key.budgetUsd === null) return undefined;
      const totals = ledger.spend !== undefined ? await ledger.spend(key.id, periodStartOf(key.budgetPeriod, now())) : await ledgerTotals(key);
      return budgetCostCapUsd(key.budgetUsd, key.budgetUsd - totals.spentUsd - totals.reservedUsd, options);
    },
  };
}
