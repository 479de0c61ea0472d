/** How often a key's budget starts over (UTC calendar periods), or `total` for a lifetime budget. */
export type BudgetPeriod = "day" | "week" | "month" | "total";

/** The budget periods, in the order the CLI lists them. */
export const budgetPeriods: readonly BudgetPeriod[] = ["day", "week", "month", "total"];

/**
 * One API key as the store keeps it. The secret itself is never stored: only `hash`
 * (sha256 of a per-install pepper and the key) and a short `prefix` for people to recognise it.
 */
export interface ApiKeyRecord {
  /** Stable id, e.g. `key_3f9a…`; shown by `keys list`, used by traces and metrics. */
  id: string;
  /** Human name, unique among keys that are not revoked. */
  name: string;
  /** Hex sha256 of pepper + key. */
  hash: string;
  /** The first characters of the key (`sy-AbCd`), safe to show. */
  prefix: string;
  /** Creation time, epoch milliseconds. */
  createdAt: number;
  /** Revocation time, epoch milliseconds, or null while the key is valid. */
  revokedAt: number | null;
  /** Spending limit in USD per `budgetPeriod`, or null for no limit. */
  budgetUsd: number | null;
  budgetPeriod: BudgetPeriod;
  /** Requests per minute, or null for no limit. */
  rpm: number | null;
  /** Tokens (prompt + completion) per minute, or null for no limit. */
  tpm: number | null;
  /** Target ids this key may use, or null for every target. */
  models: string[] | null;
}
