import type pg from "pg";
import { SwitchyardError } from "../../core/errors.js";

/** One schema step; its `version` is recorded in `switchyard_schema` in the step's own transaction. */
export interface PostgresMigration {
  version: number;
  description: string;
  sql: string;
}

/**
 * The PostgreSQL schema, versioned in code (the same tables as the SQLite store's, in PostgreSQL's
 * types). Append new steps, never edit a released one.
 */
export const postgresMigrations: readonly PostgresMigration[] = [
  {
    version: 1,
    description: "api keys (with a change notification), usage ledger, traces, feedback, breaker cooldowns, online learning",
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        prefix TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        revoked_at BIGINT,
        budget_usd DOUBLE PRECISION,
        budget_period TEXT NOT NULL,
        rpm INTEGER,
        tpm INTEGER,
        models TEXT
      );
      CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
      -- Every instance LISTENs: a key created or revoked anywhere invalidates every instance's key cache.
      CREATE FUNCTION switchyard_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('switchyard_keys', '');
        RETURN NULL;
      END $$;
      CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys
        FOR EACH STATEMENT EXECUTE FUNCTION switchyard_keys_changed();
      CREATE TABLE key_usage (
        key_id TEXT NOT NULL,
        period_start BIGINT NOT NULL,
        spent_nano_usd BIGINT NOT NULL DEFAULT 0,
        requests BIGINT NOT NULL DEFAULT 0,
        input_tokens BIGINT NOT NULL DEFAULT 0,
        output_tokens BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (key_id, period_start)
      );
      CREATE TABLE traces (
        id TEXT PRIMARY KEY,
        created_at BIGINT NOT NULL,
        endpoint TEXT NOT NULL,
        key_id TEXT,
        requested_model TEXT,
        served_model TEXT,
        stream BOOLEAN NOT NULL,
        status INTEGER NOT NULL,
        error_code TEXT,
        latency_ms DOUBLE PRECISION NOT NULL,
        upstream_ms DOUBLE PRECISION,
        fallbacks INTEGER NOT NULL,
        input_tokens INTEGER,
        output_tokens INTEGER,
        cost_usd DOUBLE PRECISION,
        decision TEXT,
        attempts TEXT NOT NULL,
        prompt TEXT,
        response TEXT,
        prompt_hash TEXT,
        rewards TEXT,
        client_request_id TEXT
      );
      CREATE INDEX traces_created_at ON traces (created_at);
      CREATE INDEX traces_key_created_at ON traces (key_id, created_at);
      CREATE INDEX traces_prompt_hash ON traces (prompt_hash) WHERE prompt_hash IS NOT NULL;
      CREATE INDEX traces_key_client_request_id ON traces (key_id, client_request_id) WHERE client_request_id IS NOT NULL;
      CREATE TABLE feedback (
        request_id TEXT PRIMARY KEY,
        score DOUBLE PRECISION NOT NULL,
        label TEXT,
        created_at BIGINT NOT NULL
      );
      CREATE TABLE breaker_states (
        target_id TEXT PRIMARY KEY,
        phase TEXT NOT NULL,
        open_until BIGINT,
        consecutive_opens INTEGER NOT NULL,
        updated_at BIGINT NOT NULL
      );
      CREATE TABLE learning_contexts (
        request_id TEXT PRIMARY KEY,
        key_id TEXT,
        model TEXT NOT NULL,
        chosen_model TEXT NOT NULL,
        propensity DOUBLE PRECISION NOT NULL,
        input BYTEA NOT NULL,
        predicted_quality DOUBLE PRECISION,
        predicted_cost_usd DOUBLE PRECISION,
        cost_usd DOUBLE PRECISION,
        created_at BIGINT NOT NULL,
        judge_score DOUBLE PRECISION,
        judge_cost_usd DOUBLE PRECISION,
        judged_at BIGINT
      );
      CREATE INDEX learning_contexts_created_at ON learning_contexts (created_at);
      CREATE TABLE learning_updates (
        seq BIGINT PRIMARY KEY,
        request_id TEXT NOT NULL,
        source TEXT NOT NULL,
        model TEXT NOT NULL,
        reward DOUBLE PRECISION NOT NULL,
        cost_usd DOUBLE PRECISION,
        predicted_cost_usd DOUBLE PRECISION,
        input BYTEA NOT NULL,
        created_at BIGINT NOT NULL,
        UNIQUE (request_id, source)
      );
      -- The last seq handed out: taken under the row's lock in the appending transaction, so seqs are
      -- gap-free and in commit order (a sequence would leave gaps and commit out of order).
      CREATE TABLE learning_seq (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL);
      INSERT INTO learning_seq (id, seq) VALUES (1, 0);
      CREATE TABLE learning_snapshot (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        router_kind TEXT NOT NULL,
        state TEXT NOT NULL,
        seq BIGINT NOT NULL,
        updates BIGINT NOT NULL,
        saved_at BIGINT NOT NULL
      );
      CREATE TABLE pacer_states (scope TEXT PRIMARY KEY, state TEXT NOT NULL);
    `,
  },
  {
    version: 2,
    description: "traces keep the guard's verdict and the policy's route",
    sql: `ALTER TABLE traces ADD COLUMN stages TEXT;`,
  },
];

/** The newest schema version this Switchyard knows. */
export const newestPostgresSchemaVersion = postgresMigrations.reduce((max, step) => Math.max(max, step.version), 0);

/** What {@link migratePostgres} found and did. */
export interface PostgresMigrationResult {
  /** Version before. 0: an empty database. */
  from: number;
  /** Version after. */
  to: number;
  /** Steps applied now (with `dryRun`: none). */
  applied: PostgresMigration[];
  /** Steps the database lacked when looked at (with `dryRun`: what a real run would apply). */
  pending: PostgresMigration[];
}

// Any constant: instances starting together take turns, so each step runs once.
const migrationLockId = 7_316_214_523;

/**
 * Brings the database to the newest schema version (each step in its own transaction, under an advisory
 * lock so instances starting at once do not race). Refuses a schema written by a newer Switchyard, naming
 * both versions and the `store` setting, rather than guessing. `dryRun`: report, change nothing.
 */
export async function migratePostgres(pool: pg.Pool, options: { steps?: readonly PostgresMigration[]; dryRun?: boolean } = {}): Promise<PostgresMigrationResult> {
  const steps = [...(options.steps ?? postgresMigrations)].sort((a, b) => a.version - b.version);
  const newest = steps.reduce((max, step) => Math.max(max, step.version), 0);
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [migrationLockId]);
    try {
      await client.query("CREATE TABLE IF NOT EXISTS switchyard_schema (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      const current = Number((await client.query<{ version: number | null }>("SELECT MAX(version) AS version FROM switchyard_schema")).rows[0]?.version ?? 0);
      if (current > newest) {
        throw new SwitchyardError(
          "invalid_config",
          `store: the PostgreSQL database has schema version ${current}, newer than this Switchyard knows (${newest}); upgrade Switchyard, or point store at another database`,
          { param: "store" },
        );
      }
      const pending = steps.filter((step) => step.version > current);
      if (options.dryRun === true) return { from: current, to: current, applied: [], pending };
      for (const step of pending) {
        await client.query("BEGIN");
        try {
          await client.query(step.sql);
          await client.query("INSERT INTO switchyard_schema (version, description) VALUES ($1, $2)", [step.version, step.description]);
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw error;
        }
      }
      return { from: current, to: Math.max(current, newest), applied: pending, pending };
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [migrationLockId]);
    }
  } finally {
    client.release();
  }
}
