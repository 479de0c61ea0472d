import { ensureDirectory } from "../ensure-directory.js";
import { dirname } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { requireOptional } from "../../core/optional-dependency.js";
import { SwitchyardError } from "../../core/errors.js";
import { keyOfRow, type ApiKeyRow } from "../api-key-row.js";
import type { BreakerPhase } from "../breaker-state.js";
import type { Store, UsageTotals } from "../store.js";
import type { TraceRecord } from "../trace-record.js";
import { nanoUsdOf, usdOfNano } from "../usd-units.js";
import { migrate } from "./migrations.js";
import { createSqliteTraceRepository, selectColumns, traceOfRow, type TraceRow } from "./sqlite-trace-repository.js";
import { createSqliteTraceRollups, type SqliteTraceRollups } from "./sqlite-trace-rollups.js";
import type { LearningRepository } from "../store.js";
import { createSqliteLearningRepository } from "./sqlite-learning-repository.js";
import { findJournals, isOtherProcessAlive, openRequestJournal, readJournal, removeJournal, type RequestJournal } from "./request-journal.js";

/** Options for {@link createSqliteStore}. */
export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a private in-memory database. Parent folders are created. */
  path: string;
  /** Milliseconds a writer waits for another process's lock (the CLI and the gateway may share a file). */
  busyTimeoutMs?: number;
  /**
   * Keep a journal of finished requests beside the file (`<file>.journal-<pid>`, see `RequestJournal`)
   * and, on open, apply what journals of processes no longer running hold beyond what reached the file.
   * `switchyard serve` turns it on; tools that only read the store leave it off. Default false.
   */
  journal?: boolean;
  /** The journal is emptied once everything in it reached the file and it is larger than this (default 16 MiB). */
  journalTruncateBytes?: number;
  /**
   * How long settlements wait in memory before they are written to the file, in milliseconds. Default:
   * 200 with the journal (every settlement is in the journal before its response ends, so the wait
   * risks nothing across a crash and one transaction covers every request of the interval), 0 — the end
   * of the event-loop turn — without it.
   */
  settleWriteDelayMs?: number;
}

interface UsageRow {
  spent_nano_usd: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
}

/** Settlements booked in memory and not yet written (summed per key and period). */
interface PendingUsage {
  keyId: string;
  periodStart: number;
  spentNano: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** A key's ledger for one period: what the file says (as of `revision`) plus this process's reservations. */
interface LedgerEntry {
  spentNano: number;
  reservedNano: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
  revision: number;
}

/**
 * The default {@link Store}: one embedded SQLite file (better-sqlite3) in WAL mode, so the gateway
 * writes while `switchyard traces` reads. The schema is migrated on open (see `migrations.ts`).
 *
 * Budget ledger: settled spend and token counts are booked in memory at once and written to the file
 * at the end of the same event-loop turn — with the journal, `settleWriteDelayMs` (200 ms) later —
 * every settlement since in one transaction (one upsert per key: a fraction of a statement per request
 * instead of one each, also at one connection when journaled; without the journal a crash of the
 * process loses at most the settlements of the turn it was in, with it none; `close()` writes them
 * first). Until written they are folded into every re-read of the key's row; reservations — which
 * belong to in-flight requests and are cleared at start-up anyway — are held in this store's memory
 * only, so `reserve` is a check-and-add in memory (atomic: nothing can interleave with synchronous
 * code). Each ledger read first asks SQLite whether another connection committed since
 * (`PRAGMA data_version`, asked at most once per event-loop turn) and re-reads the key's row if so,
 * so spend settled by another process (or another store on the same file) is seen at once; in-flight
 * reservations of another process are not (instances sharing one file each hold their own).
 * `keys.revision()` uses the same signal, so a key revoked by the CLI invalidates key caches on the
 * next request.
 *
 * @example
 * const store = createSqliteStore({ path: "./data/switchyard.db" });
 */
export function createSqliteStore(options: SqliteStoreOptions): Store {
  // Optional peer dependency: a default install has no native module to build (docs/library.md).
  const Database = requireOptional<typeof BetterSqlite3>("better-sqlite3", "The sqlite store", "or set `store: { kind: memory }` (nothing kept across restarts)");
  let db: BetterSqlite3.Database;
  try {
    if (options.path !== ":memory:") ensureDirectory(dirname(options.path));
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
  const versionBefore = Number(db.pragma("user_version", { simple: true }));
  migrate(db);
  const rollups = createSqliteTraceRollups(db);
  // A store upgraded past migration 5 gets rollups of the traces it already holds, once.
  if (versionBefore > 0 && versionBefore < 5 && rollups.isEmpty()) backfillRollups(db, rollups);
  const journalName = (path: string) => path.slice(dirname(options.path).length + 1);
  const setJournalOffset = db.prepare("INSERT INTO journal_offsets (journal, part, applied_bytes) VALUES (?, ?, ?) ON CONFLICT (journal, part) DO UPDATE SET applied_bytes = excluded.applied_bytes");
  const journalOffsets = db.prepare("SELECT part, applied_bytes FROM journal_offsets WHERE journal = ?");
  const deleteJournalOffsets = db.prepare("DELETE FROM journal_offsets WHERE journal = ?");

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
  // One statement (its own atomic, durable commit): no BEGIN/SELECT/COMMIT round per booking.
  const settleUsage = db.prepare(`
    INSERT INTO key_usage (key_id, period_start, spent_nano_usd, requests, input_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (key_id, period_start) DO UPDATE SET spent_nano_usd = spent_nano_usd + excluded.spent_nano_usd,
      requests = requests + excluded.requests, input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens`);
  const clearReservations = db.prepare("UPDATE key_usage SET reserved_nano_usd = 0 WHERE reserved_nano_usd <> 0");

  // Changes by other connections (other processes, other stores on this file) bump `revision`. Asking
  // SQLite costs ~4 µs (it opens a read transaction), so the answer is reused until the event loop
  // next reaches its check phase: one request's key lookup, cost cap and reservation share one
  // question, and whatever another connection committed before the current turn began is seen.
  const dataVersion = db.prepare("PRAGMA data_version").pluck();
  let seenDataVersion = dataVersion.get() as number;
  let revision = 0;
  let checkedThisTurn = false;
  const endTurn = () => {
    checkedThisTurn = false;
  };
  const currentRevision = (): number => {
    if (checkedThisTurn) return revision;
    const version = dataVersion.get() as number;
    if (version !== seenDataVersion) {
      seenDataVersion = version;
      revision++;
    }
    checkedThisTurn = true;
    setImmediate(endTurn);
    return revision;
  };

  const ledger = new Map<string, LedgerEntry>();
  const pending = new Map<string, PendingUsage>();
  const ledgerIdOf = (keyId: string, periodStart: number): string => `${keyId}\u0000${periodStart}`;
  /** Adds `usage` to what is waiting to be written for its key and period. */
  const addPending = (usage: PendingUsage): void => {
    const id = ledgerIdOf(usage.keyId, usage.periodStart);
    const waiting = pending.get(id);
    if (waiting === undefined) {
      pending.set(id, { ...usage });
      return;
    }
    waiting.spentNano += usage.spentNano;
    waiting.requests += usage.requests;
    waiting.inputTokens += usage.inputTokens;
    waiting.outputTokens += usage.outputTokens;
  };
  const ledgerEntry = (keyId: string, periodStart: number): LedgerEntry => {
    const id = ledgerIdOf(keyId, periodStart);
    const current = currentRevision();
    let entry = ledger.get(id);
    if (entry === undefined || entry.revision !== current) {
      const row = usageRow.get(keyId, periodStart) as UsageRow | undefined;
      const unwritten = pending.get(id);
      entry = {
        spentNano: (row?.spent_nano_usd ?? 0) + (unwritten?.spentNano ?? 0),
        reservedNano: entry?.reservedNano ?? 0,
        requests: (row?.requests ?? 0) + (unwritten?.requests ?? 0),
        inputTokens: (row?.input_tokens ?? 0) + (unwritten?.inputTokens ?? 0),
        outputTokens: (row?.output_tokens ?? 0) + (unwritten?.outputTokens ?? 0),
        revision: current,
      };
      ledger.set(id, entry);
    }
    return entry;
  };
  const writePending = db.transaction((batch: PendingUsage[], journalBytes: number | undefined) => {
    for (const usage of batch) settleUsage.run(usage.keyId, usage.periodStart, usage.spentNano, usage.requests, usage.inputTokens, usage.outputTokens);
    if (journal !== undefined && journalBytes !== undefined) setJournalOffset.run(journalName(journal.path), "usage", journalBytes);
  });
  let flushScheduled = false;
  // Set again once the journal is open (further down): with it, the default wait is longer.
  let settleWriteDelayMs = options.settleWriteDelayMs ?? 0;
  /** Writes the settlements booked so far (a no-op when there are none); throws what SQLite threw. */
  const writeNow = (): void => {
    if (pending.size === 0) return;
    const batch = [...pending.values()];
    pending.clear();
    try {
      writePending(batch, journal?.position());
      truncateJournalIfApplied();
    } catch (error) {
      // Nothing is lost: the amounts go back to the pending set (added to anything booked meanwhile).
      for (const usage of batch) addPending(usage);
      throw error;
    }
  };
  /** The end-of-turn write: a failure (a lock held past `busyTimeoutMs`, a full disk) is reported and retried in a second. */
  const flushPending = (): void => {
    flushScheduled = false;
    if (closed) return;
    try {
      writeNow();
    } catch (error) {
      process.emitWarning(`Writing budget settlements to ${options.path} failed; retrying in 1 s: ${(error as Error).message}`, { code: "SWITCHYARD_SETTLEMENT_RETRY" });
      flushScheduled = true;
      setTimeout(flushPending, 1_000).unref();
    }
  };
  const totalsOfEntry = (entry: LedgerEntry): UsageTotals => ({
    spentUsd: usdOfNano(entry.spentNano),
    reservedUsd: usdOfNano(entry.reservedNano),
    requests: entry.requests,
    inputTokens: entry.inputTokens,
    outputTokens: entry.outputTokens,
  });

  const allBreakers = db.prepare("SELECT * FROM breaker_states");
  const putBreaker = db.prepare(`
    INSERT INTO breaker_states (target_id, phase, open_until, consecutive_opens, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (target_id) DO UPDATE SET phase = excluded.phase, open_until = excluded.open_until,
      consecutive_opens = excluded.consecutive_opens, updated_at = excluded.updated_at`);

  // The request journal: what it holds beyond the recorded offsets is applied at start (see RequestJournal).
  let journal: RequestJournal | undefined;
  let tracesAppliedBytes = 0;
  const truncateBytes = options.journalTruncateBytes ?? 16 * 1024 * 1024;
  const truncateJournalIfApplied = (): void => {
    if (journal === undefined || pending.size > 0 || journal.position() < truncateBytes || tracesAppliedBytes < journal.lastTraceEnd()) return;
    // Truncate first, then reset the offsets: a crash in between leaves offsets beyond the file's end,
    // which the next start reads as "all applied".
    if (journal.truncateIfApplied(journal.position())) {
      tracesAppliedBytes = 0;
      db.transaction(() => {
        setJournalOffset.run(journalName(journal?.path ?? ""), "usage", 0);
        setJournalOffset.run(journalName(journal?.path ?? ""), "traces", 0);
      })();
    }
  };
  const traces = createSqliteTraceRepository(db, {
    rollups,
    recordJournalPosition: (journalBytes) => {
      if (journal !== undefined) setJournalOffset.run(journalName(journal.path), "traces", journalBytes);
    },
    afterJournaledBatch: () => {
      if (journal === undefined) return;
      const row = (journalOffsets.all(journalName(journal.path)) as Array<{ part: string; applied_bytes: number }>).find((offset) => offset.part === "traces");
      tracesAppliedBytes = row?.applied_bytes ?? 0;
      truncateJournalIfApplied();
    },
  });
  if (options.journal === true && options.path !== ":memory:") {
    recoverJournals();
    journal = openRequestJournal(options.path, { onWriteError: (error) => process.emitWarning(`request journal write failed: ${error.message}`, { code: "SWITCHYARD_JOURNAL" }) });
    deleteJournalOffsets.run(journalName(journal.path));
    tracesAppliedBytes = 0;
    settleWriteDelayMs = options.settleWriteDelayMs ?? 200;
    // A journal file this process just opened may hold lines of an earlier process with the same pid:
    // recoverJournals applied and removed it, so it starts empty.
  }

  /** Applies the journals of processes that are gone, then removes them. */
  function recoverJournals(): void {
    for (const found of findJournals(options.path)) {
      if (isOtherProcessAlive(found.pid)) continue;
      const name = journalName(found.path);
      const offsets = new Map((journalOffsets.all(name) as Array<{ part: string; applied_bytes: number }>).map((row) => [row.part, row.applied_bytes]));
      const entries = readJournal(found.path, 0);
      const fileEnd = entries.at(-1)?.end ?? 0;
      const usageFrom = offsets.get("usage") ?? 0;
      const tracesFrom = offsets.get("traces") ?? 0;
      db.transaction(() => {
        // Offsets beyond the file's end: the file was truncated after everything was applied.
        const usageSkip = usageFrom > fileEnd ? Number.POSITIVE_INFINITY : usageFrom;
        const tracesSkip = tracesFrom > fileEnd ? Number.POSITIVE_INFINITY : tracesFrom;
        const recoveredTraces: TraceRecord[] = [];
        for (const { entry, end } of entries) {
          const { settlement, trace } = entry;
          if (settlement !== undefined && end > usageSkip) {
            settleUsage.run(settlement.keyId, settlement.periodStart, nanoUsdOf(settlement.actualUsd), 1, settlement.inputTokens, settlement.outputTokens);
          }
          if (trace !== undefined && end > tracesSkip) recoveredTraces.push(trace);
        }
        if (recoveredTraces.length > 0) void traces.insertMany(recoveredTraces);
        setJournalOffset.run(name, "usage", fileEnd);
        setJournalOffset.run(name, "traces", fileEnd);
      })();
      removeJournal(found.path);
      deleteJournalOffsets.run(name);
    }
  }

  let closed = false;
  return {
    kind: "sqlite",
    ...(options.path === ":memory:" ? {} : { filePath: options.path }),
    keys: {
      async insert(record) {
        try {
          insertKey.run({ ...record, models: record.models === null ? null : JSON.stringify(record.models) });
          revision++;
        } catch (error) {
          if ((error as { code?: string }).code === "SQLITE_CONSTRAINT_UNIQUE") {
            throw new SwitchyardError("invalid_request", `An active key named "${record.name}" already exists`, { param: "name", cause: error });
          }
          throw error;
        }
      },
      async findByHash(hash) {
        const row = keyByHash.get(hash) as ApiKeyRow | undefined;
        return row ? keyOfRow(row) : undefined;
      },
      async findById(id) {
        const row = keyById.get(id) as ApiKeyRow | undefined;
        return row ? keyOfRow(row) : undefined;
      },
      async list() {
        return (allKeys.all() as ApiKeyRow[]).map(keyOfRow);
      },
      async revoke(id, at) {
        const changed = revokeKey.run(at, id).changes > 0;
        if (changed) revision++;
        return changed;
      },
      revision: currentRevision,
      async countActive() {
        return (activeKeys.get() as { n: number }).n;
      },
      async countAll() {
        return (keyCount.get() as { n: number }).n;
      },
    },
    usage: {
      async reserve({ keyId, periodStart, amountUsd, limitUsd }) {
        const entry = ledgerEntry(keyId, periodStart);
        const amountNano = nanoUsdOf(amountUsd);
        const ok = entry.spentNano + entry.reservedNano + amountNano <= nanoUsdOf(limitUsd);
        if (ok) entry.reservedNano += amountNano;
        return { ok, totals: totalsOfEntry(entry) };
      },
      async settle({ keyId, periodStart, reservedUsd, actualUsd, inputTokens, outputTokens }) {
        if (closed) throw new SwitchyardError("internal_error", "The store is closed");
        // Read first: a change by another connection is folded in before this booking is added.
        const entry = ledgerEntry(keyId, periodStart);
        const actualNano = nanoUsdOf(actualUsd);
        addPending({ keyId, periodStart, spentNano: actualNano, requests: 1, inputTokens, outputTokens });
        if (!flushScheduled) {
          flushScheduled = true;
          if (settleWriteDelayMs > 0) setTimeout(flushPending, settleWriteDelayMs).unref();
          else setImmediate(flushPending);
        }
        entry.reservedNano = Math.max(0, entry.reservedNano - nanoUsdOf(reservedUsd));
        entry.spentNano += actualNano;
        entry.requests += 1;
        entry.inputTokens += inputTokens;
        entry.outputTokens += outputTokens;
      },
      async totals(keyId, periodStart) {
        return totalsOfEntry(ledgerEntry(keyId, periodStart));
      },
      async clearReservations() {
        // Reservations written to the file by versions before the in-memory ledger.
        clearReservations.run();
        for (const entry of ledger.values()) entry.reservedNano = 0;
      },
    },
    traces,
    learning: withJudgementRollups(db, createSqliteLearningRepository(db), rollups),
    rollups,
    ...(journal === undefined ? {} : { journal }),
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
      try {
        writeNow();
        // Everything applied (the gateway flushed its traces first): the journal is not needed any more.
        if (journal !== undefined && pending.size === 0 && tracesAppliedBytes >= journal.lastTraceEnd()) {
          journal.close();
          removeJournal(journal.path);
          deleteJournalOffsets.run(journalName(journal.path));
        }
      } finally {
        closed = true;
        journal?.close();
        db.close();
      }
    },
  };
}

/** Rollups of the traces stored before migration 5, written in transactions of 10,000 traces. */
function backfillRollups(db: BetterSqlite3.Database, rollups: SqliteTraceRollups): void {
  const rows = db.prepare(`SELECT ${selectColumns} ORDER BY t.created_at`);
  let chunk: TraceRecord[] = [];
  const write = db.transaction((traces: TraceRecord[]) => rollups.addTraces(traces));
  for (const row of rows.iterate() as Iterable<TraceRow>) {
    chunk.push(traceOfRow(row));
    if (chunk.length >= 10_000) {
      write(chunk);
      chunk = [];
    }
  }
  write(chunk);
}

/** The learning repository with judge grades also added to the rollups (grouped by the request's learning context). */
function withJudgementRollups(db: BetterSqlite3.Database, learning: LearningRepository, rollups: SqliteTraceRollups): LearningRepository {
  const contextOf = db.prepare("SELECT created_at AS createdAt, chosen_model AS servedModel, key_id AS keyId, judge_score AS previous, judged_at AS judgedAt FROM learning_contexts WHERE request_id = ?");
  return {
    ...learning,
    async setJudgement(requestId, judgement) {
      const context = contextOf.get(requestId) as { createdAt: number; servedModel: string; keyId: string | null; previous: number | null; judgedAt: number | null } | undefined;
      await learning.setJudgement(requestId, judgement);
      if (context === undefined || judgement.score === null) return;
      const previous = context.judgedAt !== null && context.previous !== null ? context.previous : undefined;
      rollups.addLateScore({ ...context, requestedModel: context.servedModel }, "judge", judgement.score, previous);
    },
  };
}
