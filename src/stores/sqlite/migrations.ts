import type Database from "better-sqlite3";
import { SwitchyardError } from "../../core/errors.js";

/** One schema step; `version` is stored in SQLite's `user_version` once the step ran. */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * The schema, versioned in code. Append new steps, never edit a released one: a database at
 * version N runs exactly the steps after N, each in its own transaction.
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: "api keys, usage ledger, traces, feedback, breaker cooldowns",
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER,
        budget_usd REAL,
        budget_period TEXT NOT NULL,
        rpm INTEGER,
        tpm INTEGER,
        models TEXT
      );
      CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;
      CREATE TABLE key_usage (
        key_id TEXT NOT NULL,
        period_start INTEGER NOT NULL,
        spent_nano_usd INTEGER NOT NULL DEFAULT 0,
        reserved_nano_usd INTEGER NOT NULL DEFAULT 0,
        requests INTEGER NOT NULL DEFAULT 0,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (key_id, period_start)
      ) WITHOUT ROWID;
      CREATE TABLE traces (
        id TEXT PRIMARY KEY,
        created_at INTEGER NOT NULL,
        endpoint TEXT NOT NULL,
        key_id TEXT,
        requested_model TEXT,
        served_model TEXT,
        stream INTEGER NOT NULL,
        status INTEGER NOT NULL,
        error_code TEXT,
        latency_ms REAL NOT NULL,
        upstream_ms REAL,
        fallbacks INTEGER NOT NULL,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cost_usd REAL,
        decision TEXT,
        attempts TEXT NOT NULL,
        prompt TEXT,
        response TEXT
      );
      CREATE INDEX traces_created_at ON traces(created_at);
      CREATE INDEX traces_key_created_at ON traces(key_id, created_at);
      CREATE TABLE feedback (
        request_id TEXT PRIMARY KEY,
        score REAL NOT NULL,
        label TEXT,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE breaker_states (
        target_id TEXT PRIMARY KEY,
        phase TEXT NOT NULL,
        open_until INTEGER,
        consecutive_opens INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: "online learning: learning contexts, update log, router snapshot, pacer states",
    sql: `
      CREATE TABLE learning_contexts (
        request_id TEXT PRIMARY KEY,
        key_id TEXT,
        model TEXT NOT NULL,
        chosen_model TEXT NOT NULL,
        propensity REAL NOT NULL,
        input BLOB NOT NULL,
        predicted_quality REAL,
        predicted_cost_usd REAL,
        cost_usd REAL,
        created_at INTEGER NOT NULL,
        judge_score REAL,
        judge_cost_usd REAL,
        judged_at INTEGER
      );
      CREATE INDEX learning_contexts_created_at ON learning_contexts(created_at);
      CREATE TABLE learning_updates (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        request_id TEXT NOT NULL,
        source TEXT NOT NULL,
        model TEXT NOT NULL,
        reward REAL NOT NULL,
        cost_usd REAL,
        predicted_cost_usd REAL,
        input BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (request_id, source)
      );
      CREATE TABLE learning_snapshot (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        router_kind TEXT NOT NULL,
        state TEXT NOT NULL,
        seq INTEGER NOT NULL,
        updates INTEGER NOT NULL,
        saved_at INTEGER NOT NULL
      );
      CREATE TABLE pacer_states (
        scope TEXT PRIMARY KEY,
        state TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: "decision log: prompt hash (joins duplicates without the text) and rewards joined later",
    // Old rows keep NULL in both columns and read as traces without a hash or rewards.
    sql: `
      ALTER TABLE traces ADD COLUMN prompt_hash TEXT;
      ALTER TABLE traces ADD COLUMN rewards TEXT;
      CREATE INDEX traces_prompt_hash ON traces(prompt_hash) WHERE prompt_hash IS NOT NULL;
    `,
  },
  {
    version: 4,
    description: "traces keep the client's own request id as an attribute scoped to the key",
    sql: `
      ALTER TABLE traces ADD COLUMN client_request_id TEXT;
      CREATE INDEX traces_key_client_request_id ON traces(key_id, client_request_id) WHERE client_request_id IS NOT NULL;
      CREATE TABLE journal_offsets (
        journal TEXT NOT NULL,
        part TEXT NOT NULL,
        applied_bytes INTEGER NOT NULL,
        PRIMARY KEY (journal, part)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 5,
    description: "dashboard rollups: per-minute and per-hour aggregates of traces, latency histograms, counterfactual predictions",
    // Filled as traces are written (and once from the traces already stored, when a store is upgraded).
    sql: `
      CREATE TABLE trace_rollups (
        width_ms INTEGER NOT NULL,
        bucket_start INTEGER NOT NULL,
        target TEXT NOT NULL,
        key_id TEXT NOT NULL,
        requests INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        rate_limited INTEGER NOT NULL DEFAULT 0,
        latency_sum_ms REAL NOT NULL DEFAULT 0,
        cost_nano INTEGER NOT NULL DEFAULT 0,
        routed INTEGER NOT NULL DEFAULT 0,
        predicted INTEGER NOT NULL DEFAULT 0,
        predicted_cost_nano INTEGER NOT NULL DEFAULT 0,
        predicted_quality_sum REAL NOT NULL DEFAULT 0,
        fallbacks INTEGER NOT NULL DEFAULT 0,
        retries INTEGER NOT NULL DEFAULT 0,
        explored INTEGER NOT NULL DEFAULT 0,
        feedback_sum REAL NOT NULL DEFAULT 0,
        feedback_count INTEGER NOT NULL DEFAULT 0,
        judge_sum REAL NOT NULL DEFAULT 0,
        judge_count INTEGER NOT NULL DEFAULT 0,
        reward_sum REAL NOT NULL DEFAULT 0,
        reward_count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (width_ms, bucket_start, target, key_id)
      ) WITHOUT ROWID;
      CREATE TABLE trace_latency_rollups (
        width_ms INTEGER NOT NULL,
        bucket_start INTEGER NOT NULL,
        target TEXT NOT NULL,
        bin INTEGER NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (width_ms, bucket_start, target, bin)
      ) WITHOUT ROWID;
      CREATE TABLE trace_counterfactual_rollups (
        width_ms INTEGER NOT NULL,
        bucket_start INTEGER NOT NULL,
        model TEXT NOT NULL,
        candidates INTEGER NOT NULL,
        predicted_cost_nano INTEGER NOT NULL,
        predicted_quality_sum REAL NOT NULL,
        PRIMARY KEY (width_ms, bucket_start, model)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    description: "traces keep the guard's verdict and the policy's route",
    sql: `ALTER TABLE traces ADD COLUMN stages TEXT;`,
  },
];

/**
 * Brings `db` to the newest schema version. Refuses a database written by a newer Switchyard
 * (its `user_version` is above every known migration) rather than guessing.
 */
export function migrate(db: Database.Database, steps: readonly Migration[] = migrations): number {
  const current = Number(db.pragma("user_version", { simple: true }));
  const newest = steps.reduce((max, step) => Math.max(max, step.version), 0);
  if (current > newest) {
    throw new SwitchyardError(
      "invalid_config",
      `The store's schema version ${current} is newer than this Switchyard knows (${newest}); upgrade Switchyard or use another store path`,
      { param: "store.path" },
    );
  }
  for (const step of [...steps].sort((a, b) => a.version - b.version)) {
    if (step.version <= current) continue;
    // IMMEDIATE takes the write lock before the version is read again: processes opening a new store at
    // once (`serve --workers N`) run each step once — the others wait (busy_timeout) and find it done
    // (a deferred transaction let both run `CREATE TABLE`: "table api_keys already exists").
    db.transaction(() => {
      if (Number(db.pragma("user_version", { simple: true })) >= step.version) return;
      db.exec(step.sql);
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
  return Math.max(current, newest);
}
