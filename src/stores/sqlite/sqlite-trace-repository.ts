import type Database from "better-sqlite3";
import type { TraceRepository } from "../store.js";
import type { TraceAttempt, TraceDecision, TraceFilter, TraceRecord } from "../trace-record.js";

interface TraceRow {
  id: string;
  created_at: number;
  endpoint: string;
  key_id: string | null;
  requested_model: string | null;
  served_model: string | null;
  stream: number;
  status: number;
  error_code: string | null;
  latency_ms: number;
  upstream_ms: number | null;
  fallbacks: number;
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  decision: string | null;
  attempts: string;
  prompt: string | null;
  response: string | null;
  feedback_score: number | null;
  feedback_label: string | null;
  feedback_at: number | null;
  judge_score: number | null;
  judge_cost_usd: number | null;
  judged_at: number | null;
}

const selectColumns = `
  t.*, f.score AS feedback_score, f.label AS feedback_label, f.created_at AS feedback_at,
  l.judge_score AS judge_score, l.judge_cost_usd AS judge_cost_usd, l.judged_at AS judged_at
  FROM traces t LEFT JOIN feedback f ON f.request_id = t.id LEFT JOIN learning_contexts l ON l.request_id = t.id`;

function traceOfRow(row: TraceRow): TraceRecord {
  const trace: TraceRecord = {
    id: row.id,
    createdAt: row.created_at,
    endpoint: row.endpoint,
    keyId: row.key_id,
    requestedModel: row.requested_model,
    servedModel: row.served_model,
    stream: row.stream === 1,
    status: row.status,
    errorCode: row.error_code,
    latencyMs: row.latency_ms,
    upstreamMs: row.upstream_ms,
    decision: row.decision === null ? null : (JSON.parse(row.decision) as TraceDecision),
    attempts: JSON.parse(row.attempts) as TraceAttempt[],
    fallbacks: row.fallbacks,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
  };
  if (row.prompt !== null) trace.prompt = row.prompt;
  if (row.response !== null) trace.response = row.response;
  if (row.feedback_score !== null) {
    trace.feedback = { score: row.feedback_score, label: row.feedback_label, createdAt: row.feedback_at ?? 0 };
  }
  if (row.judged_at !== null) trace.judge = { score: row.judge_score, costUsd: row.judge_cost_usd ?? 0, at: row.judged_at };
  return trace;
}

/** The traces table of a SQLite store; writes in batches, one transaction each. */
export function createSqliteTraceRepository(db: Database.Database): TraceRepository {
  // Positional parameters: binding by name costs about as much as the insert itself.
  const insert = db.prepare(`
    INSERT OR REPLACE INTO traces (id, created_at, endpoint, key_id, requested_model, served_model, stream, status,
      error_code, latency_ms, upstream_ms, fallbacks, input_tokens, output_tokens, cost_usd, decision, attempts, prompt, response)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertMany = db.transaction((traces: readonly TraceRecord[]) => {
    for (const trace of traces) {
      insert.run(
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
      );
    }
  });
  const getOne = db.prepare(`SELECT ${selectColumns} WHERE t.id = ?`);
  const exists = db.prepare("SELECT 1 FROM traces WHERE id = ?");
  const upsertFeedback = db.prepare(`
    INSERT INTO feedback (request_id, score, label, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (request_id) DO UPDATE SET score = excluded.score, label = excluded.label, created_at = excluded.created_at`);
  const pruneFeedback = db.prepare("DELETE FROM feedback WHERE request_id IN (SELECT id FROM traces WHERE created_at < ?)");
  const pruneTraces = db.prepare("DELETE FROM traces WHERE created_at < ?");
  const prune = db.transaction((before: number) => {
    pruneFeedback.run(before);
    return pruneTraces.run(before).changes;
  });

  return {
    async insertMany(traces) {
      if (traces.length > 0) insertMany(traces);
    },
    async get(id) {
      const row = getOne.get(id) as TraceRow | undefined;
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
      params.push(filter.limit ?? 100);
      const sql = `SELECT ${selectColumns} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY t.created_at DESC, t.id DESC LIMIT ?`;
      return (db.prepare(sql).all(...params) as TraceRow[]).map(traceOfRow);
    },
    async setFeedback(id, feedback) {
      if (!exists.get(id)) return false;
      upsertFeedback.run(id, feedback.score, feedback.label, feedback.createdAt);
      return true;
    },
    async prune(before) {
      return prune(before);
    },
  };
}
