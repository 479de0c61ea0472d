/** The `api_keys` row shape and its mapper, shared by the SQLite and PostgreSQL key repositories. */
import type { ApiKeyRecord, BudgetPeriod } from "./api-key-record.js";

/** An `api_keys` row (the same columns in both stores). */
export interface ApiKeyRow {
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

/** The key record of an `api_keys` row. */
export const keyOfRow = (row: ApiKeyRow): ApiKeyRecord => ({
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
