import type { UsageLedger, UsageTotals } from "../../stores/store.js";
import { nanoUsdOf, usdOfNano } from "../../stores/usd-units.js";
import type { BudgetLedger, CoordinatedSettleInput } from "../coordination.js";
import type { RedisCommands } from "./redis-commands.js";
import type { RedisOutage } from "./redis-outage.js";

/** Options of {@link createRedisBudgetLedger}. */
export interface RedisBudgetLedgerOptions {
  commands: RedisCommands;
  outage: RedisOutage;
  /** The durable ledger (the store's): real costs are booked there, and it seeds Redis's `spent`. */
  ledger: UsageLedger;
  prefix: string;
  /** `coordination.reservationExpiryMs`. */
  reservationExpiryMs: number;
  /** `coordination.onFailure.budgets`. */
  onFailure: "fail-open" | "fail-closed";
  /** Settlements kept for a retry while Redis is down (beyond: dropped from Redis's count, still in the store). */
  maxQueuedSettlements?: number;
  now?: () => number;
}

/** How long `spend` (routing's cost cap) trusts what the last script said about a key-period. */
const spendFreshMs = 1_000;
/** Key-periods whose spend is remembered at most (the memory starts over beyond that). */
const maxRememberedSpends = 10_000;

/** How long an idle key-period stays in Redis (it is re-seeded from the store after). */
const keyTtlMs = 35 * 24 * 3_600_000;

/**
 * Budgets shared by every instance. Redis holds, per key and budget period, the money settled (`spent`,
 * seeded once from the store's ledger) and every in-flight reservation with its expiry, and one Lua
 * script checks `spent + reserved + amount ≤ budget` and reserves atomically — across all instances. A
 * reservation of an instance that died is released once `reservationExpiryMs` has passed. Settlement
 * releases the reservation and adds the real cost in Redis, then books it in the store (the durable
 * ledger that `keys usage` and the seed read).
 *
 * While Redis is down: reservations are refused with 503 `coordination_unavailable` (`fail-closed`,
 * default) or skipped (`fail-open`: spend is still booked in the store); settlements still reach the
 * store, and their Redis half is queued and replayed when Redis answers again.
 */
export function createRedisBudgetLedger(options: RedisBudgetLedgerOptions): BudgetLedger & { readonly queuedSettlements: number } {
  const { commands, outage, ledger, prefix } = options;
  const maxQueued = options.maxQueuedSettlements ?? 100_000;
  const queued: Array<{ input: CoordinatedSettleInput }> = [];
  const now = options.now ?? Date.now;
  const lastSpend = new Map<string, { spentNano: number; reservedNano: number; at: number }>();
  const remember = (keyId: string, periodStart: number, spentNano: number, reservedNano: number) => {
    if (spentNano < 0) return;
    if (lastSpend.size >= maxRememberedSpends) lastSpend.clear();
    lastSpend.set(`${keyId}:${periodStart}`, { spentNano, reservedNano, at: now() });
  };
  const keysOf = (keyId: string, periodStart: number): [string, string] => {
    const tag = `${prefix}{budget:${keyId}:${periodStart}}`;
    return [`${tag}:totals`, `${tag}:expiries`];
  };
  /** Runs the reserve script, seeding `spent` from the store the first time a key-period is seen. */
  const reserveInRedis = async (keyId: string, periodStart: number, amountNano: number, limitNano: number, reservationId: string) => {
    const [totalsKey, expiriesKey] = keysOf(keyId, periodStart);
    let result = await commands.reserve(totalsKey, expiriesKey, amountNano, limitNano, reservationId, options.reservationExpiryMs, "", keyTtlMs);
    if (result[0] === -1) {
      const seed = nanoUsdOf((await ledger.totals(keyId, periodStart)).spentUsd);
      result = await commands.reserve(totalsKey, expiriesKey, amountNano, limitNano, reservationId, options.reservationExpiryMs, String(seed), keyTtlMs);
    }
    remember(keyId, periodStart, result[1], result[2]);
    return result;
  };
  const totalsOf = async (keyId: string, periodStart: number, spentNano: number, reservedNano: number): Promise<UsageTotals> => {
    // Token and request counts are the durable ledger's business; Redis holds only what limits need.
    const stored = await ledger.totals(keyId, periodStart);
    return { ...stored, spentUsd: usdOfNano(spentNano), reservedUsd: usdOfNano(reservedNano) };
  };
  const settleInRedis = async (input: CoordinatedSettleInput) => {
    const [totalsKey, expiriesKey] = keysOf(input.keyId, input.periodStart);
    const [spent, reserved] = await commands.settle(totalsKey, expiriesKey, input.reservationId, nanoUsdOf(input.actualUsd));
    remember(input.keyId, input.periodStart, spent, reserved);
  };
  outage.onRecovered(() => {
    const replay = queued.splice(0);
    void (async () => {
      for (const { input } of replay) {
        try {
          await settleInRedis(input);
        } catch {
          // Down again: the rest waits for the next recovery.
          queued.unshift(...replay.slice(replay.findIndex((entry) => entry.input === input)));
          return;
        }
      }
    })();
  });

  return {
    get queuedSettlements() {
      return queued.length;
    },
    async reserve(input) {
      try {
        const [ok, spent, reserved] = await reserveInRedis(input.keyId, input.periodStart, nanoUsdOf(input.amountUsd), nanoUsdOf(input.limitUsd), input.reservationId);
        outage.succeeded();
        return { ok: ok === 1, totals: { spentUsd: usdOfNano(spent), reservedUsd: usdOfNano(reserved), requests: 0, inputTokens: 0, outputTokens: 0 } };
      } catch (error) {
        const refused = outage.failed("budget reservation", error);
        if (options.onFailure === "fail-closed") throw refused;
        return { ok: true, totals: await ledger.totals(input.keyId, input.periodStart) };
      }
    },
    async settle(input) {
      if (input.reservedUsd > 0 || input.actualUsd > 0) {
        try {
          await settleInRedis(input);
          outage.succeeded();
        } catch (error) {
          outage.failed("budget settlement", error);
          if (queued.length < maxQueued) queued.push({ input });
        }
      }
      // The store never held this reservation: only the real cost is booked there.
      await ledger.settle({ ...input, reservedUsd: 0 });
    },
    async spend(keyId, periodStart) {
      const known = lastSpend.get(`${keyId}:${periodStart}`);
      if (known !== undefined && now() - known.at < spendFreshMs) return { spentUsd: usdOfNano(known.spentNano), reservedUsd: usdOfNano(known.reservedNano) };
      try {
        const [, spent, reserved] = await reserveInRedis(keyId, periodStart, 0, -1, "");
        outage.succeeded();
        return { spentUsd: usdOfNano(spent), reservedUsd: usdOfNano(reserved) };
      } catch (error) {
        const refused = outage.failed("budget totals", error);
        if (options.onFailure === "fail-closed") throw refused;
        return ledger.totals(keyId, periodStart);
      }
    },
    async totals(keyId, periodStart) {
      try {
        const [, spent, reserved] = await reserveInRedis(keyId, periodStart, 0, -1, "");
        outage.succeeded();
        return await totalsOf(keyId, periodStart, spent, reserved);
      } catch (error) {
        const refused = outage.failed("budget totals", error);
        if (options.onFailure === "fail-closed") throw refused;
        return ledger.totals(keyId, periodStart);
      }
    },
  };
}
