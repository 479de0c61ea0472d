import type pg from "pg";
import { SwitchyardError } from "../../core/errors.js";
import type { UsageLedger, UsageTotals } from "../store.js";
import { nanoUsdOf, usdOfNano } from "../usd-units.js";
import { isConnectionError } from "./postgres-connection.js";

/** Options for {@link createPostgresUsageLedger}. */
export interface PostgresUsageLedgerOptions {
  pool: pg.Pool;
  /** A key's committed spend is re-read when the copy in memory is older than this (default 100 ms). */
  refreshMs?: number;
  /** Reports a connection failure (the store's outage handling). */
  onConnectionError: (error: unknown) => void;
  now?: () => number;
}

interface Amounts {
  spentNano: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** Settlements booked in memory and not yet committed, summed per key and period, with who waits for them. */
interface Pending extends Amounts {
  keyId: string;
  periodStart: number;
  waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }>;
}

/** What PostgreSQL said about one key and period (as of `readAt`), plus this process's reservations. */
interface Entry extends Amounts {
  reservedNano: number;
  readAt: number;
}

const zero = (): Amounts => ({ spentNano: 0, requests: 0, inputTokens: 0, outputTokens: 0 });

/** A {@link UsageLedger} that also says whether settlements are still waiting to be written. */
export interface PostgresUsageLedger extends UsageLedger {
  /** Writes what is pending now (one attempt); throws what PostgreSQL threw. */
  flush(): Promise<void>;
  /** Settlements not yet committed. */
  readonly pendingCount: number;
  /** Stops retrying; settlements still pending are rejected. */
  close(): void;
}

/**
 * The budget ledger in PostgreSQL's `key_usage` table.
 *
 * - `settle` resolves once the spend is committed. Settlements of one event-loop turn are summed per key
 *   and written in one statement (an `unnest` upsert that returns the new totals). While PostgreSQL is
 *   unreachable they wait in memory (summed per key and period, so a few bytes each) and are retried
 *   every second; `totals` and `reserve` count them meanwhile. A crash during an outage loses them.
 * - Reservations belong to in-flight requests and live in this process's memory (cleared at start), as
 *   with the SQLite store: `reserve` is an exact check-and-add for this instance, and sees spend settled
 *   by other instances once the key's row is re-read (at most `refreshMs` old). Exact budgets across
 *   instances need a shared reservation ledger (the Redis coordination), not this store.
 * - Reads and writes of the ledger are serialised in this process, so a row read never double-counts
 *   or misses a settlement of this process that is committing at the same moment.
 * - When PostgreSQL is unreachable, `reserve` and `totals` answer from the last committed values read
 *   (plus this process's settlements and reservations); a key never read before is a `store_unavailable`
 *   error.
 */
export function createPostgresUsageLedger(options: PostgresUsageLedgerOptions): PostgresUsageLedger {
  const { pool } = options;
  const now = options.now ?? Date.now;
  const refreshMs = options.refreshMs ?? 100;
  const entries = new Map<string, Entry>();
  let pending = new Map<string, Pending>();
  let writing = new Map<string, Pending>();
  const reading = new Map<string, Promise<void>>();
  let chain: Promise<unknown> = Promise.resolve();
  let retryTimer: NodeJS.Timeout | undefined;
  let scheduled = false;
  let closed = false;
  const idOf = (keyId: string, periodStart: number) => `${keyId}\u0000${periodStart}`;
  /** Runs `work` after every ledger read or write queued before it. */
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const run = chain.then(work, work);
    chain = run.catch(() => undefined);
    return run;
  };

  const setCommitted = (id: string, amounts: Amounts): void => {
    const entry = entries.get(id);
    if (entry === undefined) entries.set(id, { ...amounts, reservedNano: 0, readAt: now() });
    else Object.assign(entry, amounts, { readAt: now() });
  };

  const refresh = (keyId: string, periodStart: number): Promise<void> => {
    const id = idOf(keyId, periodStart);
    const entry = entries.get(id);
    if (entry !== undefined && now() - entry.readAt < refreshMs) return Promise.resolve();
    const inFlight = reading.get(id);
    if (inFlight !== undefined) return inFlight;
    const read = serial(async () => {
      try {
        const row = (
          await pool.query<{ spent_nano_usd: number; requests: number; input_tokens: number; output_tokens: number }>(
            "SELECT spent_nano_usd, requests, input_tokens, output_tokens FROM key_usage WHERE key_id = $1 AND period_start = $2",
            [keyId, periodStart],
          )
        ).rows[0];
        setCommitted(id, row === undefined ? zero() : { spentNano: row.spent_nano_usd, requests: row.requests, inputTokens: row.input_tokens, outputTokens: row.output_tokens });
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        options.onConnectionError(error);
        if (!entries.has(id)) throw new SwitchyardError("store_unavailable", "store: PostgreSQL is unreachable and this key's spend was never read; retry when it is back", { param: "store" });
      }
    }).finally(() => reading.delete(id));
    reading.set(id, read);
    return read;
  };

  const totalsOf = (keyId: string, periodStart: number): UsageTotals => {
    const id = idOf(keyId, periodStart);
    const entry = entries.get(id) ?? { ...zero(), reservedNano: 0, readAt: 0 };
    const waiting = [pending.get(id), writing.get(id)];
    const sum = (field: keyof Amounts) => entry[field] + waiting.reduce((total, part) => total + (part?.[field] ?? 0), 0);
    return { spentUsd: usdOfNano(sum("spentNano")), reservedUsd: usdOfNano(entry.reservedNano), requests: sum("requests"), inputTokens: sum("inputTokens"), outputTokens: sum("outputTokens") };
  };

  const merge = (into: Map<string, Pending>, id: string, part: Pending): void => {
    const existing = into.get(id);
    if (existing === undefined) {
      into.set(id, part);
      return;
    }
    existing.spentNano += part.spentNano;
    existing.requests += part.requests;
    existing.inputTokens += part.inputTokens;
    existing.outputTokens += part.outputTokens;
    existing.waiters.push(...part.waiters);
  };

  const flush = (): Promise<void> =>
    serial(async () => {
      if (pending.size === 0) return;
      writing = pending;
      pending = new Map();
      const batch = [...writing.values()];
      try {
        const rows = (
          await pool.query<{ key_id: string; period_start: number; spent_nano_usd: number; requests: number; input_tokens: number; output_tokens: number }>(
            `INSERT INTO key_usage (key_id, period_start, spent_nano_usd, requests, input_tokens, output_tokens)
             SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[])
             ON CONFLICT (key_id, period_start) DO UPDATE SET spent_nano_usd = key_usage.spent_nano_usd + excluded.spent_nano_usd,
               requests = key_usage.requests + excluded.requests, input_tokens = key_usage.input_tokens + excluded.input_tokens,
               output_tokens = key_usage.output_tokens + excluded.output_tokens
             RETURNING key_id, period_start, spent_nano_usd, requests, input_tokens, output_tokens`,
            [
              batch.map((part) => part.keyId),
              batch.map((part) => part.periodStart),
              batch.map((part) => part.spentNano),
              batch.map((part) => part.requests),
              batch.map((part) => part.inputTokens),
              batch.map((part) => part.outputTokens),
            ],
          )
        ).rows;
        writing = new Map();
        for (const row of rows) setCommitted(idOf(row.key_id, row.period_start), { spentNano: row.spent_nano_usd, requests: row.requests, inputTokens: row.input_tokens, outputTokens: row.output_tokens });
        for (const part of batch) for (const waiter of part.waiters) waiter.resolve();
      } catch (error) {
        // Nothing is lost: the amounts go back to the pending set (added to anything booked meanwhile).
        const failed = writing;
        writing = new Map();
        if (closed) {
          for (const part of failed.values()) for (const waiter of part.waiters) waiter.reject(error);
          throw error;
        }
        for (const [id, part] of failed) merge(pending, id, part);
        if (isConnectionError(error)) options.onConnectionError(error);
        if (!closed && retryTimer === undefined) {
          retryTimer = setTimeout(() => {
            retryTimer = undefined;
            void flush().catch(() => undefined);
          }, 1_000);
          retryTimer.unref();
        }
        throw error;
      }
    });

  return {
    async reserve({ keyId, periodStart, amountUsd, limitUsd }) {
      await refresh(keyId, periodStart);
      // From here to the return nothing awaits: the check and the add are one step.
      const entry = entries.get(idOf(keyId, periodStart)) as Entry;
      const totals = totalsOf(keyId, periodStart);
      const amountNano = nanoUsdOf(amountUsd);
      const ok = nanoUsdOf(totals.spentUsd) + entry.reservedNano + amountNano <= nanoUsdOf(limitUsd);
      if (ok) entry.reservedNano += amountNano;
      return { ok, totals: totalsOf(keyId, periodStart) };
    },
    settle({ keyId, periodStart, reservedUsd, actualUsd, inputTokens, outputTokens }) {
      if (closed) return Promise.reject(new SwitchyardError("internal_error", "The store is closed"));
      const id = idOf(keyId, periodStart);
      const entry = entries.get(id);
      if (entry !== undefined) entry.reservedNano = Math.max(0, entry.reservedNano - nanoUsdOf(reservedUsd));
      return new Promise<void>((resolve, reject) => {
        merge(pending, id, { keyId, periodStart, spentNano: nanoUsdOf(actualUsd), requests: 1, inputTokens, outputTokens, waiters: [{ resolve, reject }] });
        if (!scheduled) {
          scheduled = true;
          setImmediate(() => {
            scheduled = false;
            // A failure is retried by the timer flush() set; the waiters resolve when it succeeds.
            flush().catch(() => undefined);
          });
        }
      });
    },
    async totals(keyId, periodStart) {
      await refresh(keyId, periodStart);
      return totalsOf(keyId, periodStart);
    },
    async clearReservations() {
      for (const entry of entries.values()) entry.reservedNano = 0;
    },
    flush,
    get pendingCount() {
      return pending.size + writing.size;
    },
    close() {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      const error = new SwitchyardError("store_unavailable", "store: closed while budget settlements were still waiting for PostgreSQL", { param: "store" });
      for (const part of pending.values()) for (const waiter of part.waiters) waiter.reject(error);
      pending = new Map();
    },
  };
}
