// The traces table is the same in both SQL stores: one row shape, one query head, one mapper.
import type { TraceAttempt, TraceDecision, TraceRecord, TraceReward, TraceStages } from "./trace-record.js";

/** A row of `SELECT ${selectColumns}`, in the SQLite and the PostgreSQL store alike. */
export interface TraceRow {
  id: string;
  created_at: number;
  endpoint: string;
  key_id: string | null;
  requested_model: string | null;
  served_model: string | null;
  /** SQLite stores 0/1, PostgreSQL a boolean. */
  stream: number | boolean;
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
  prompt_hash: string | null;
  rewards: string | null;
  feedback_score: number | null;
  feedback_label: string | null;
  feedback_at: number | null;
  client_request_id: string | null;
  stages: string | null;
  judge_score: number | null;
  judge_cost_usd: number | null;
  judged_at: number | null;
}

/** The columns `traceOfRow` reads (traces joined with feedback and judge grades). */
export const selectColumns = `
  t.*, f.score AS feedback_score, f.label AS feedback_label, f.created_at AS feedback_at,
  l.judge_score AS judge_score, l.judge_cost_usd AS judge_cost_usd, l.judged_at AS judged_at
  FROM traces t LEFT JOIN feedback f ON f.request_id = t.id LEFT JOIN learning_contexts l ON l.request_id = t.id`;

/** A stored row as a {@link TraceRecord} (either store). */
export function traceOfRow(row: TraceRow): TraceRecord {
  const trace: TraceRecord = {
    id: row.id,
    createdAt: row.created_at,
    endpoint: row.endpoint,
    keyId: row.key_id,
    requestedModel: row.requested_model,
    servedModel: row.served_model,
    stream: row.stream === 1 || row.stream === true,
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
  if (row.client_request_id !== null) trace.clientRequestId = row.client_request_id;
  if (row.prompt !== null) trace.prompt = row.prompt;
  if (row.response !== null) trace.response = row.response;
  if (row.prompt_hash !== null) trace.promptHash = row.prompt_hash;
  if (row.rewards !== null) trace.rewards = JSON.parse(row.rewards) as TraceReward[];
  if (row.feedback_score !== null) {
    trace.feedback = { score: row.feedback_score, label: row.feedback_label, createdAt: row.feedback_at ?? 0 };
  }
  if (row.judged_at !== null) trace.judge = { score: row.judge_score, costUsd: row.judge_cost_usd ?? 0, at: row.judged_at };
  if (row.stages !== null) trace.stages = JSON.parse(row.stages) as TraceStages;
  return trace;
}
