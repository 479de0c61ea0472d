import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { SwitchyardError } from "../../core/errors.js";
import type { ApiKeyRecord, BudgetPeriod } from "../api-key-record.js";
import type { BreakerPhase } from "../breaker-state.js";
import type { Store, UsageTotals } from "../store.js";
import { nanoUsdOf, usdOfNano } from "../usd-units.js";
import { migrate } from "./migrations.js";
import { createSqliteTraceRepository } from "./sqlite-trace-repository.js";

/** Options for {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a private in-memory database. Parent folders are created. */
  path: string;
  /** Milliseconds a writer waits for another process's lock (the CLI and the gateway may share a file). */
  busyTimeoutMs?: number;
}

interface KeyRow {
  id: string;
  name: string;
  hash: string;
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  budget_usd: number | null;
  budget_period: string;
  rpm: number | null;
  tpm: number | null;
  models: string | null;
}

interface UsageRow {
  spent_nano_usd: number;
  reserved_nano_usd: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
}

const keyOfRow = (row: KeyRow): ApiKeyRecord => ({
  id: row.id,
  name: row.name,
  hash: row.hash,
  prefix: row.prefix,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
  budgetUsd: row.budget_usd,
  budgetPeriod: row.budget_period as BudgetPeriod,
  rpm: row.rpm,
  tpm: row.tpm,
  models: row.models === null ? null : (JSON.parse(row.models) as string[]),
});

const totalsOfRow = (row: UsageRow | undefined): UsageTotals => ({
  spentUsd: usdOfNano(row?.spent_nano_usd ?? 0),
  reservedUsd: usdOfNano(row?.reserved_nano_usd ?? 0),
  requests: row?.requests ?? 0,
  inputTokens: row?.input_tokens ?? 0,
  outputTokens: row?.output_tokens ?? 0,
});

/**
 * The default {@link Store}: one embedded SQLite file (better-sqlite3) in WAL mode, so the gateway
 * writes while `switchyard traces` reads. The schema is migrated on open (see `migrations.ts`).
 * Budget reservations run as `BEGIN IMMEDIATE` transactions, so they are atomic across every
 * process sharing the file.
 *
 * @example
 * const store = createSqliteStore({ path: "./data/switchyard.db" });
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  let db: Database.Database;
  try {
    if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
    db = new Database(options.path);
  } catch (error) {
    throw new SwitchyardError("invalid_config", `Cannot open the store at ${options.path}: ${(error as Error).message}`, { param: "store.path", cause: error });
  }
  db.pragma("journal_mode = WAL");
  // NORMAL is durable across application crashes in WAL mode; only an OS crash can lose the last commits.
  db.pragma("synchronous = NORMAL");
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  // 8 MiB of page cache (default 2 MiB): trace inserts touch the request-id index at random places.
  db.pragma("cache_size = -8192");
  migrate(db);

  const insertKey = db.prepare(`
    INSERT INTO api_keys (id, name, hash, prefix, created_at, revoked_at, budget_usd, budget_period, rpm, tpm, models)
    VALUES (@id, @name, @hash, @prefix, @createdAt, @revokedAt, @budgetUsd, @budgetPeriod, @rpm, @tpm, @models)`);
  const keyByHash = db.prepare("SELECT * FROM api_keys WHERE hash = ?");
  const keyById = db.prepare("SELECT * FROM api_keys WHERE id = ?");
  const allKeys = db.prepare("SELECT * FROM api_keys ORDER BY created_at, id");
  const revokeKey = db.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
  const activeKeys = db.prepare("SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL");
  const keyCount = db.prepare("SELECT COUNT(*) AS n FROM api_keys");

  const usageRow = db.prepare("SELECT * FROM key_usage WHERE key_id = ? AND period_start = ?");
  const ensureUsage = db.prepare("INSERT OR IGNORE INTO key_usage (key_id, period_start) VALUES (?, ?)");
  const addReservation = db.prepare("UPDATE key_usage SET reserved_nano_usd = reserved_nano_usd + ? WHERE key_id = ? AND period_start = ?");
  const settleUsage = db.prepare(`
    UPDATE key_usage SET reserved_nano_usd = MAX(0, reserved_nano_usd - ?), spent_nano_usd = spent_nano_usd + ?,
      requests = requests + 1, input_tokens = input_tokens + ?, output_tokens = output_tokens + ?
    WHERE key_id = ? AND period_start = ?`);
  const clearReservations = db.prepare("UPDATE key_usage SET reserved_nano_usd = 0 WHERE reserved_nano_usd <> 0");

  const reserve = db.transaction((keyId: string, periodStart: number, amountNano: number, limitNano: number) => {
    ensureUsage.run(keyId, periodStart);
    const row = usageRow.get(keyId, periodStart) as UsageRow;
    const ok = row.spent_nano_usd + row.reserved_nano_usd + amountNano <= limitNano;
    if (ok) addReservation.run(amountNano, keyId, periodStart);
    return { ok, totals: totalsOfRow(ok ? { ...row, reserved_nano_usd: row.reserved_nano_usd + amountNano } : row) };
  });
  const settle = db.transaction((keyId: string, periodStart: number, reservedNano: number, actualNano: number, inputTokens: number, outputTokens: number) => {
    ensureUsage.run(keyId, periodStart);
    settleUsage.run(reservedNano, actualNano, inputTokens, outputTokens, keyId, periodStart);
  });

  const allBreakers = db.prepare("SELECT * FROM breaker_states");
  const putBreaker = db.prepare(`
    INSERT INTO breaker_states (target_id, phase, open_until, consecutive_opens, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (target_id) DO UPDATE SET phase = excluded.phase, open_until = excluded.open_until,
      consecutive_opens = excluded.consecutive_opens, updated_at = excluded.updated_at`);

  let closed = false;
  return {
    kind: "sqlite",
    keys: {
      async insert(record) {
        try {
          insertKey.run({ ...record, models: record.models === null ? null : JSON.stringify(record.models) });
        } catch (error) {
          if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
            throw new SwitchyardError("invalid_request", `An active key named "${record.name}" already exists`, { param: "name", cause: error });
          }
          throw error;
        }
      },
      async findByHash(hash) {
        const row = keyByHash.get(hash) as KeyRow | undefined;
        return row ? keyOfRow(row) : undefined;
      },
      async findById(id) {
        const row = keyById.get(id) as KeyRow | undefined;
        return row ? keyOfRow(row) : undefined;
      },
      async list() {
        return (allKeys.all() as KeyRow[]).map(keyOfRow);
      },
      async revoke(id, at) {
        return revokeKey.run(at, id).changes > 0;
      },
      async countActive() {
        return (activeKeys.get() as { n: number }).n;
      },
      async countAll() {
        return (keyCount.get() as { n: number }).n;
      },
    },
    usage: {
      async reserve({ keyId, periodStart, amountUsd, limitUsd }) {
        return reserve.immediate(keyId, periodStart, nanoUsdOf(amountUsd), nanoUsdOf(limitUsd));
      },
      async settle({ keyId, periodStart, reservedUsd, actualUsd, inputTokens, outputTokens }) {
        settle.immediate(keyId, periodStart, nanoUsdOf(reservedUsd), nanoUsdOf(actualUsd), inputTokens, outputTokens);
      },
      async totals(keyId, periodStart) {
        return totalsOfRow(usageRow.get(keyId, periodStart) as UsageRow | undefined);
      },
      async clearReservations() {
        clearReservations.run();
      },
    },
    traces: createSqliteTraceRepository(db),
    breakers: {
      async all() {
        const rows = allBreakers.all() as Array<{ target_id: string; phase: string; open_until: number | null; consecutive_opens: number; updated_at: number }>;
        return rows.map((row) => ({
          targetId: row.target_id,
          phase: row.phase as BreakerPhase,
          openUntil: row.open_until,
          consecutiveOpens: row.consecutive_opens,
          updatedAt: row.updated_at,
        }));
      },
      async put(state) {
        putBreaker.run(state.targetId, state.phase, state.openUntil, state.consecutiveOpens, state.updatedAt);
      },
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
