import type pg from "pg";
import { SwitchyardError } from "../../core/errors.js";
import type { BreakerPhase } from "../breaker-state.js";
import type { Store } from "../store.js";
import { clientConfigOf, isConnectionError, loadPg, scrubSecret, storeOpenError } from "./postgres-connection.js";
import { createPostgresKeyRepository } from "./postgres-key-repository.js";
import { createPostgresLearningRepository } from "./postgres-learning-repository.js";
import { migratePostgres, type PostgresMigrationResult } from "./postgres-migrations.js";
import { createPostgresTraceRepository } from "./postgres-trace-repository.js";
import { describePostgresUrlProblem, postgresSettingsOf, redactPostgresUrl } from "./postgres-url.js";
import { createPostgresUsageLedger } from "./postgres-usage-ledger.js";
import { openTraceSpool, type TraceSpoolStats } from "./trace-spool.js";

/** Options for {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (validated by the config schema). */
  url: string;
  /** Most pooled connections (default 10). */
  poolSize?: number;
  /** Connect timeout in milliseconds (default 5000). */
  connectTimeoutMs?: number;
  /** Folder of the trace spool. */
  spoolDir: string;
  /** Spool bound in bytes (default 256 MiB). */
  spoolMaxBytes?: number;
  /** How often an outage is probed (default 1000 ms). */
  probeIntervalMs?: number;
  /** A key's committed spend is re-read when older than this (default 100 ms; see the usage ledger). */
  ledgerRefreshMs?: number;
  /**
   * Where the outage and recovery lines go (once per outage each; never the password). Default:
   * `process.emitWarning`, as the SQLite store reports its retries.
   */
  log?: (level: "warn" | "info", message: string) => void;
}

/** What a PostgreSQL store adds to {@link Store}: the spool's counters and the outage state. */
export interface PostgresStore extends Store {
  readonly kind: "postgres";
  /** The trace spool's counters (for `/metrics`). */
  spoolStats(): TraceSpoolStats;
  /** Whether the store currently counts PostgreSQL as unreachable. */
  isDown(): boolean;
  /** Writes what the spool holds now (when PostgreSQL is reachable); returns how many traces it wrote. */
  drainSpool(): Promise<number>;
  /** What the schema migration at open found and did. */
  readonly migration: PostgresMigrationResult;
}

/** Whether `store` is a {@link PostgresStore} (it has a trace spool to report on). */
export function isPostgresStore(store: Store): store is PostgresStore {
  return store.kind === "postgres" && typeof (store as Partial<PostgresStore>).spoolStats === "function";
}

/**
 * Opens a PostgreSQL {@link Store}: a `pg` connection pool, the schema migrated on open (versioned, see
 * `postgres-migrations.ts`), a LISTEN connection for key changes, and a bounded on-disk trace spool.
 * Start-up errors (malformed URL, wrong credentials, unreachable server, newer schema) name the `store`
 * setting and never the password.
 *
 * What is durable when:
 * - keys, breaker states, feedback, learning contexts, updates and snapshots: when the call resolves
 *   (one statement or transaction, committed); during an outage these calls fail.
 * - traces: when `traces.insertMany` resolves — committed, or, while PostgreSQL is unreachable, in the
 *   spool on local disk (one `write(2)`: survives a `kill -9`; a power cut can lose the OS page cache).
 *   The spool is written to PostgreSQL when it is back (and at the next start, also spool files of
 *   processes that died). Beyond `spoolMaxBytes` traces are dropped, counted (`spoolStats().droppedTotal`)
 *   and logged once per outage. Traces the gateway's trace writer still holds in memory (at most its flush
 *   interval, 500 ms) are lost if the process itself crashes.
 * - spend: when `usage.settle` resolves (see `createPostgresUsageLedger`); while PostgreSQL is down,
 *   settlements wait in memory and are retried every second.
 *
 * @example
 * const store = await openPostgresStore({ url: "postgres://switchyard:pw@127.0.0.1:5432/switchyard", spoolDir: "./switchyard-data/trace-spool" });
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const problem = describePostgresUrlProblem(options.url);
  if (problem !== undefined) throw new SwitchyardError("invalid_config", `store: ${problem}`, { param: "store" });
  const pgModule = await loadPg();
  const settings = postgresSettingsOf(options.url);
  const where = redactPostgresUrl(options.url);
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const log =
    options.log ??
    ((level: "warn" | "info", message: string) => {
      if (level === "warn") process.emitWarning(message, { code: "SWITCHYARD_STORE_OUTAGE" });
    });
  const pool = new pgModule.Pool(clientConfigOf(pgModule, settings, { connectTimeoutMs, max: options.poolSize ?? 10 }));
  // An idle pooled connection that PostgreSQL closes emits 'error' on the pool; unhandled, it would end
  // the process. The next query reconnects (or starts an outage).
  let ready = false;
  pool.on("error", (error) => {
    if (ready) noteConnectionError(error);
  });

  let migration: PostgresMigrationResult;
  try {
    migration = await migratePostgres(pool);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw storeOpenError(error, options.url);
  }

  // Outages: logged once when they start and once when they end; probed every second meanwhile.
  let down = false;
  let droppedThisOutage = 0;
  let probeTimer: NodeJS.Timeout | undefined;
  let closed = false;
  const probeIntervalMs = options.probeIntervalMs ?? 1000;
  const noteConnectionError = (error: unknown): void => {
    if (closed || down) return;
    down = true;
    droppedThisOutage = 0;
    log("warn", `store: PostgreSQL at ${where} is unreachable (${scrubSecret(error instanceof Error ? error.message : String(error), settings.password)}); traces go to the spool in ${options.spoolDir} until it is back`);
    scheduleProbe();
  };
  const scheduleProbe = (): void => {
    if (closed || probeTimer !== undefined) return;
    probeTimer = setTimeout(() => {
      probeTimer = undefined;
      void probe();
    }, probeIntervalMs);
    probeTimer.unref();
  };
  const probe = async (): Promise<void> => {
    try {
      await pool.query("SELECT 1");
    } catch {
      scheduleProbe();
      return;
    }
    const wasDown = down;
    down = false;
    try {
      const written = await drainSpool();
      if (wasDown) log("info", `store: PostgreSQL at ${where} is back; ${written} spooled traces written${droppedThisOutage > 0 ? `, ${droppedThisOutage} dropped while the spool was full` : ""}`);
    } catch (error) {
      if (isConnectionError(error)) noteConnectionError(error);
      else log("warn", `store: writing the trace spool to PostgreSQL failed: ${scrubSecret((error as Error).message, settings.password)}`);
    }
    await ledger.flush().catch(() => undefined);
  };

  let spool: ReturnType<typeof openTraceSpool>;
  try {
    spool = openTraceSpool({ directory: options.spoolDir, maxBytes: options.spoolMaxBytes ?? 256 * 1024 * 1024 });
  } catch (error) {
    closed = true;
    await pool.end().catch(() => undefined);
    throw new SwitchyardError("invalid_config", `store.spoolDir: cannot use ${options.spoolDir} for the trace spool: ${(error as Error).message}`, { param: "store.spoolDir" });
  }
  let draining: Promise<number> | undefined;
  const drainSpool = (): Promise<number> => {
    draining ??= spool
      .drain(async (batch) => {
        try {
          await traces.write(batch);
        } catch (error) {
          if (!isConnectionError(error)) Object.assign(error as object, { rejected: true });
          throw error;
        }
      })
      .finally(() => {
        draining = undefined;
      });
    return draining;
  };
  const traces = createPostgresTraceRepository({
    pool,
    spool,
    isDown: () => down,
    onConnectionError: noteConnectionError,
    onDropped: (count) => {
      if (droppedThisOutage === 0) log("warn", `store: the trace spool in ${options.spoolDir} is full (${options.spoolMaxBytes ?? 256 * 1024 * 1024} bytes); traces are dropped and counted until PostgreSQL is back`);
      droppedThisOutage += count;
    },
  });
  const ledger = createPostgresUsageLedger({ pool, refreshMs: options.ledgerRefreshMs, onConnectionError: noteConnectionError });

  // Key changes anywhere arrive as notifications on one dedicated connection (not from the pool).
  let revision = 0;
  let listener: pg.Client | undefined;
  let listenerTimer: NodeJS.Timeout | undefined;
  const listen = async (): Promise<void> => {
    const client = new pgModule.Client(clientConfigOf(pgModule, settings, { connectTimeoutMs }));
    const retry = () => {
      if (listener === client) listener = undefined;
      client.removeAllListeners();
      client.on("error", () => undefined);
      void client.end().catch(() => undefined);
      if (closed || listenerTimer !== undefined) return;
      listenerTimer = setTimeout(() => {
        listenerTimer = undefined;
        listen().catch(() => undefined);
      }, probeIntervalMs);
      listenerTimer.unref();
    };
    client.on("error", (error) => {
      noteConnectionError(error);
      retry();
    });
    client.on("end", retry);
    client.on("notification", () => {
      revision++;
    });
    try {
      await client.connect();
      await client.query("LISTEN switchyard_keys");
    } catch (error) {
      retry();
      throw error;
    }
    listener = client;
    // Whatever changed while no connection listened was not notified.
    revision++;
  };
  try {
    await listen();
  } catch (error) {
    closed = true;
    spool.close();
    if (probeTimer !== undefined) clearTimeout(probeTimer);
    if (listenerTimer !== undefined) clearTimeout(listenerTimer);
    await pool.end().catch(() => undefined);
    throw storeOpenError(error, options.url);
  }
  ready = true;
  // Spool files left by a process that died during an outage: written now, in the background.
  if (spool.hasData()) void drainSpool().catch((error: unknown) => (isConnectionError(error) ? noteConnectionError(error) : undefined));

  return {
    kind: "postgres",
    migration,
    keys: createPostgresKeyRepository(pool, {
      current: () => revision,
      changed: () => {
        revision++;
      },
    }, noteConnectionError),
    usage: ledger,
    traces,
    learning: createPostgresLearningRepository(pool),
    breakers: {
      async all() {
        const rows = (await pool.query<{ target_id: string; phase: string; open_until: number | null; consecutive_opens: number; updated_at: number }>("SELECT * FROM breaker_states")).rows;
        return rows.map((row) => ({ targetId: row.target_id, phase: row.phase as BreakerPhase, openUntil: row.open_until, consecutiveOpens: row.consecutive_opens, updatedAt: row.updated_at }));
      },
      async put(state) {
        await pool.query(
          `INSERT INTO breaker_states (target_id, phase, open_until, consecutive_opens, updated_at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (target_id) DO UPDATE SET phase = excluded.phase, open_until = excluded.open_until,
             consecutive_opens = excluded.consecutive_opens, updated_at = excluded.updated_at`,
          [state.targetId, state.phase, state.openUntil, state.consecutiveOpens, state.updatedAt],
        );
      },
    },
    spoolStats: () => spool.stats(),
    isDown: () => down,
    drainSpool,
    async close() {
      if (closed) return;
      try {
        if (!down) {
          await ledger.flush().catch(() => undefined);
          await drainSpool().catch(() => undefined);
        }
        if (ledger.pendingCount > 0) log("warn", `store: closing with ${ledger.pendingCount} budget settlements PostgreSQL did not take; they are lost`);
      } finally {
        closed = true;
        ledger.close();
        spool.close();
        if (probeTimer !== undefined) clearTimeout(probeTimer);
        if (listenerTimer !== undefined) clearTimeout(listenerTimer);
        const client = listener;
        listener = undefined;
        client?.removeAllListeners();
        client?.on("error", () => undefined);
        await client?.end().catch(() => undefined);
        await pool.end().catch(() => undefined);
      }
    },
  };
}
