import type Database from "better-sqlite3";
import type { TraceRepository } from "../store.js";
import type { TraceFeedback, TraceFilter, TraceRecord, TraceReward } from "../trace-record.js";
import { selectColumns, traceOfRow, type TraceRow } from "../trace-row.js";

export { selectColumns, traceOfRow, type TraceRow };
import type { SqliteTraceRollups } from "./sqlite-trace-rollups.js";


/** Options for {@link createSqliteTraceRepository}. */
export interface SqliteTraceRepositoryOptions {
  /** Runs inside a batch's transaction with the journal position the batch covers (see `RequestJournal`). */
  recordJournalPosition?: (journalBytes: number) => void;
  /** Runs after a batch that covered a journal position was committed. */
  afterJournaledBatch?: () => void;
  /** Rollups kept in the same transactions as the traces (dashboard aggregates). */
  rollups?: SqliteTraceRollups;
}

/** The traces table of a SQLite store; writes in batches, one transaction each. */
export function createSqliteTraceRepository(db: Database.Database, options: SqliteTraceRepositoryOptions = {}): TraceRepository {
  // Positional parameters: binding by name costs about as much as the insert itself. Ids are the
  // gateway's own, so a conflict is the same trace written twice (a journal replay): keep the first.
  const insert = db.prepare(`
    INSERT OR IGNORE INTO traces (id, created_at, endpoint, key_id, requested_model, served_model, stream, status,
      error_code, latency_ms, upstream_ms, fallbacks, input_tokens, output_tokens, cost_usd, decision, attempts, prompt, response,
      prompt_hash, rewards, client_request_id, stages)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertMany = db.transaction((traces: readonly TraceRecord[], journalBytes: number | undefined) => {
    if (journalBytes !== undefined) options.recordJournalPosition?.(journalBytes);
    // A trace already stored (a journal replay) is not counted twice in the rollups.
    const inserted: TraceRecord[] = [];
    for (const trace of traces) {
      const { changes } = insert.run(
        trace.id,
        trace.createdAt,
        trace.endpoint,
        trace.keyId,
        trace.requestedModel,
        trace.servedModel,
        trace.stream ? 1 : 0,
        trace.status,
        trace.errorCode,
        trace.latencyMs,
        trace.upstreamMs,
        trace.fallbacks,
        trace.inputTokens,
        trace.outputTokens,
        trace.costUsd,
        trace.decision === null ? null : JSON.stringify(trace.decision),
        JSON.stringify(trace.attempts),
        trace.prompt ?? null,
        trace.response ?? null,
        trace.promptHash ?? null,
        trace.rewards === undefined ? null : JSON.stringify(trace.rewards),
        trace.clientRequestId ?? null,
        trace.stages === undefined ? null : JSON.stringify(trace.stages),
      );
      if (changes > 0) inserted.push(trace);
    }
    options.rollups?.addTraces(inserted);
  });
  const getOne = db.prepare(`SELECT ${selectColumns} WHERE t.id = ?`);
  const byClientId = db.prepare(`SELECT ${selectColumns} WHERE t.key_id IS ? AND t.client_request_id = ? ORDER BY t.created_at DESC, t.id DESC LIMIT 1`);
  const exists = db.prepare("SELECT created_at AS createdAt, served_model AS servedModel, requested_model AS requestedModel, key_id AS keyId FROM traces WHERE id = ?");
  const previousFeedback = db.prepare("SELECT score FROM feedback WHERE request_id = ?").pluck();
  const groupOf = (id: string) => exists.get(id) as Pick<TraceRecord, "createdAt" | "servedModel" | "requestedModel" | "keyId"> | undefined;
  const setFeedback = db.transaction((id: string, feedback: TraceFeedback): boolean => {
    const group = groupOf(id);
    if (group === undefined) return false;
    const previous = previousFeedback.get(id) as number | undefined;
    upsertFeedback.run(id, feedback.score, feedback.label, feedback.createdAt);
    options.rollups?.addLateScore(group, "feedback", feedback.score, previous);
    return true;
  });
  const addReward = db.transaction((id: string, reward: TraceReward): boolean => {
    const changed = appendReward.run(JSON.stringify({ source: reward.source, score: reward.score, createdAt: reward.createdAt }), id).changes > 0;
    const group = changed ? groupOf(id) : undefined;
    if (group !== undefined) options.rollups?.addLateScore(group, "reward", reward.score);
    return changed;
  });
  const upsertFeedback = db.prepare(`
    INSERT INTO feedback (request_id, score, label, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (request_id) DO UPDATE SET score = excluded.score, label = excluded.label, created_at = excluded.created_at`);
  const appendReward = db.prepare(`
    UPDATE traces SET rewards = json_insert(COALESCE(rewards, '[]'), '$[#]', json(?)) WHERE id = ?`);
  const pruneFeedback = db.prepare("DELETE FROM feedback WHERE request_id IN (SELECT id FROM traces WHERE created_at < ?)");
  const pruneTraces = db.prepare("DELETE FROM traces WHERE created_at < ?");
  const prune = db.transaction((before: number) => {
    pruneFeedback.run(before);
    options.rollups?.pruneMinutes(before);
    return pruneTraces.run(before).changes;
  });

  return {
    async insertMany(traces, journalBytes) {
      if (traces.length === 0 && journalBytes === undefined) return;
      insertMany(traces, journalBytes);
      if (journalBytes !== undefined) options.afterJournaledBatch?.();
    },
    async get(id) {
      const row = getOne.get(id) as TraceRow | undefined;
      return row ? traceOfRow(row) : undefined;
    },
    async findByClientRequestId(keyId, clientRequestId) {
      const row = byClientId.get(keyId, clientRequestId) as TraceRow | undefined;
      return row ? traceOfRow(row) : undefined;
    },
    async list(filter: TraceFilter = {}) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      const condition = (sql: string, ...values: Array<string | number>) => {
        where.push(sql);
        params.push(...values);
      };
      if (filter.since !== undefined) condition("t.created_at >= ?", filter.since);
      if (filter.until !== undefined) condition("t.created_at < ?", filter.until);
      if (filter.keyId !== undefined) condition("t.key_id = ?", filter.keyId);
      if (filter.model !== undefined) condition("(t.requested_model = ? OR t.served_model = ?)", filter.model, filter.model);
      if (filter.status !== undefined) condition("t.status = ?", filter.status);
      if (filter.outcome === "error") where.push("t.status >= 400");
      if (filter.outcome === "ok") where.push("t.status < 400");
      if (filter.before !== undefined) condition("(t.created_at < ? OR (t.created_at = ? AND t.id < ?))", filter.before.createdAt, filter.before.createdAt, filter.before.id);
      if (filter.search !== undefined && filter.search !== "") {
        const pattern = `%${filter.search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
        condition(
          "(t.id = ? OR t.requested_model LIKE ? ESCAPE '\\' OR t.served_model LIKE ? ESCAPE '\\' OR t.error_code LIKE ? ESCAPE '\\' OR t.prompt LIKE ? ESCAPE '\\')",
          filter.search, pattern, pattern, pattern, pattern,
        );
      }
      params.push(filter.limit ?? 100);
      const sql = `SELECT ${selectColumns} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY t.created_at DESC, t.id DESC LIMIT ?`;
      return (db.prepare(sql).all(...params) as TraceRow[]).map(traceOfRow);
    },
    async setFeedback(id, feedback) {
      return setFeedback(id, feedback);
    },
    async addReward(id, reward) {
      return addReward(id, reward);
    },
    async prune(before) {
      return prune(before);
    },
  };
}
