import type pg from "pg";
import { SwitchyardError } from "../../core/errors.js";
import { keyOfRow, type ApiKeyRow } from "../api-key-row.js";
import type { KeyRepository } from "../store.js";
import { isConnectionError } from "./postgres-connection.js";

/**
 * API keys in PostgreSQL. `revision()` is `revision.current()`: the store bumps it on every
 * `switchyard_keys` notification (a trigger sends one for any change to `api_keys`, by any instance or
 * the CLI) and whenever its listening connection reconnects (changes made while it was away are not
 * notified), so key caches drop a revoked key as soon as the notification arrives — and at once in the
 * process that made the change (`changed`).
 */
export function createPostgresKeyRepository(pool: pg.Pool, revision: { current: () => number; changed: () => void }, onConnectionError: (error: unknown) => void): KeyRepository {
  /** Runs a query; an unreachable PostgreSQL becomes `store_unavailable` (503), not an internal error. */
  const query = async <Row extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<pg.QueryResult<Row>> => {
    try {
      return await pool.query<Row>(sql, values);
    } catch (error) {
      if (!isConnectionError(error)) throw error;
      onConnectionError(error);
      throw new SwitchyardError("store_unavailable", "store: PostgreSQL is unreachable; the API key cannot be checked", { param: "store" });
    }
  };
  const one = async (sql: string, value: string) => {
    const row = (await query<ApiKeyRow>(sql, [value])).rows[0];
    return row === undefined ? undefined : keyOfRow(row);
  };
  // Counts only ever grow (keys are revoked, never deleted): during an outage the last answer stands, so
  // an open gateway's "does any key exist yet?" check keeps serving.
  const lastCounts = new Map<string, number>();
  const count = async (sql: string) => {
    try {
      const value = Number((await query<{ n: number }>(sql)).rows[0]?.n ?? 0);
      lastCounts.set(sql, value);
      return value;
    } catch (error) {
      const last = lastCounts.get(sql);
      if (last === undefined || !(error instanceof SwitchyardError) || error.code !== "store_unavailable") throw error;
      return last;
    }
  };
  return {
    async insert(record) {
      try {
        await query(
          `INSERT INTO api_keys (id, name, hash, prefix, created_at, revoked_at, budget_usd, budget_period, rpm, tpm, models)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [record.id, record.name, record.hash, record.prefix, record.createdAt, record.revokedAt, record.budgetUsd, record.budgetPeriod, record.rpm, record.tpm, record.models === null ? null : JSON.stringify(record.models)],
        );
        revision.changed();
      } catch (error) {
        if ((error as { code?: string }).code === "23505") {
          throw new SwitchyardError("invalid_request", `An active key named "${record.name}" already exists`, { param: "name", cause: error });
        }
        throw error;
      }
    },
    findByHash: (hash) => one("SELECT * FROM api_keys WHERE hash = $1", hash),
    findById: (id) => one("SELECT * FROM api_keys WHERE id = $1", id),
    async list() {
      return (await query<ApiKeyRow>("SELECT * FROM api_keys ORDER BY created_at, id")).rows.map(keyOfRow);
    },
    async revoke(id, at) {
      const revoked = ((await query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL", [at, id])).rowCount ?? 0) > 0;
      if (revoked) revision.changed();
      return revoked;
    },
    countActive: () => count("SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL"),
    countAll: () => count("SELECT COUNT(*) AS n FROM api_keys"),
    revision: revision.current,
  };
}
