/**
 * The learning tables' row shapes and their mappers to records, shared by the SQLite and PostgreSQL
 * learning repositories (both tables have the same columns; only the statements differ).
 */
import type { LearningContextRecord, LearningUpdateRecord, RewardSource } from "./learning-records.js";

/** A `learning_contexts` row. */
export interface LearningContextRow {
  request_id: string;
  key_id: string | null;
  model: string;
  chosen_model: string;
  propensity: number;
  input: Buffer;
  predicted_quality: number | null;
  predicted_cost_usd: number | null;
  cost_usd: number | null;
  created_at: number;
  judge_score: number | null;
  judge_cost_usd: number | null;
  judged_at: number | null;
}

/** A `learning_updates` row. */
export interface LearningUpdateRow {
  seq: number;
  request_id: string;
  source: string;
  model: string;
  reward: number;
  cost_usd: number | null;
  predicted_cost_usd: number | null;
  input: Buffer;
  created_at: number;
}

/** A copy of the bytes: the driver's Buffer may be a view of a pooled slab. */
const bytesOf = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));

/** The context record of a `learning_contexts` row. */
export function learningContextOf(row: LearningContextRow): LearningContextRecord {
  return {
    requestId: row.request_id,
    keyId: row.key_id,
    model: row.model,
    chosenModel: row.chosen_model,
    propensity: row.propensity,
    input: bytesOf(row.input),
    predictedQuality: row.predicted_quality,
    predictedCostUsd: row.predicted_cost_usd,
    costUsd: row.cost_usd,
    createdAt: row.created_at,
  };
}

/** The judge's grade kept on a context row, when it was judged. */
export function judgementOf(row: LearningContextRow | undefined): { score: number | null; costUsd: number; at: number } | undefined {
  if (row === undefined || row.judged_at === null) return undefined;
  return { score: row.judge_score, costUsd: row.judge_cost_usd ?? 0, at: row.judged_at };
}

/** The update record of a `learning_updates` row. */
export function learningUpdateOf(row: LearningUpdateRow): LearningUpdateRecord {
  return {
    seq: row.seq,
    requestId: row.request_id,
    source: row.source as RewardSource,
    model: row.model,
    reward: row.reward,
    costUsd: row.cost_usd,
    predictedCostUsd: row.predicted_cost_usd,
    input: bytesOf(row.input),
    createdAt: row.created_at,
  };
}
