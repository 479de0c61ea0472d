import type Database from "better-sqlite3";
import type { TraceRecord } from "../trace-record.js";
import { lateScoreCounters, rollupBatchOf, rollupCounterNames, rollupGroupOf, rollupWidthsMs, type LateScoreKind, type RollupCounters, type RollupGroup } from "../trace-rollup.js";
import type { CounterfactualRow, LatencyHistogramRow, RollupQuery, RollupSeriesRow, TraceRollupRepository } from "../trace-rollup-repository.js";

const columnOf = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
const counterColumns = rollupCounterNames.map(columnOf);

/** The rollup tables of a SQLite store (migration 5) and the writes that keep them. */
export interface SqliteTraceRollups extends TraceRollupRepository {
  /** Adds traces that were just inserted (call inside the inserting transaction). */
  addTraces(traces: readonly TraceRecord[]): void;
  /** Adds a late score to the row of a trace's group; `previous` is the score it replaces. */
  addLateScore(group: Pick<TraceRecord, "createdAt" | "servedModel" | "requestedModel" | "keyId">, kind: LateScoreKind, score: number, previous?: number): void;
  /** Deletes per-minute rows older than `before` (the hourly rows stay: they are small and long windows read them). */
  pruneMinutes(before: number): void;
  /** Whether the tables hold nothing yet. */
  isEmpty(): boolean;
}

/**
 * Rollups in SQLite: `trace_rollups` (counters per width, bucket, served target and key),
 * `trace_latency_rollups` (latency histogram per width, bucket and target) and
 * `trace_counterfactual_rollups` (predicted cost and quality of every candidate). A batch of traces is
 * summed in JavaScript first, so a transaction of 128 traces upserts a few dozen rows.
 */
export function createSqliteTraceRollups(db: Database.Database): SqliteTraceRollups {
  const upsertRow = db.prepare(`
    INSERT INTO trace_rollups (width_ms, bucket_start, target, key_id, ${counterColumns.join(", ")})
    VALUES (?, ?, ?, ?, ${counterColumns.map(() => "?").join(", ")})
    ON CONFLICT (width_ms, bucket_start, target, key_id) DO UPDATE SET ${counterColumns.map((column) => `${column} = ${column} + excluded.${column}`).join(", ")}`);
  const upsertLatency = db.prepare(`
    INSERT INTO trace_latency_rollups (width_ms, bucket_start, target, bin, count) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (width_ms, bucket_start, target, bin) DO UPDATE SET count = count + excluded.count`);
  const upsertCounterfactual = db.prepare(`
    INSERT INTO trace_counterfactual_rollups (width_ms, bucket_start, model, candidates, predicted_cost_nano, predicted_quality_sum) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (width_ms, bucket_start, model) DO UPDATE SET candidates = candidates + excluded.candidates,
      predicted_cost_nano = predicted_cost_nano + excluded.predicted_cost_nano, predicted_quality_sum = predicted_quality_sum + excluded.predicted_quality_sum`);
  const pruneRows = db.prepare("DELETE FROM trace_rollups WHERE width_ms = ? AND bucket_start < ?");
  const pruneLatency = db.prepare("DELETE FROM trace_latency_rollups WHERE width_ms = ? AND bucket_start < ?");
  const pruneCounterfactual = db.prepare("DELETE FROM trace_counterfactual_rollups WHERE width_ms = ? AND bucket_start < ?");
  const anyRow = db.prepare("SELECT 1 FROM trace_rollups LIMIT 1");

  const writeRow = (group: RollupGroup, counters: RollupCounters) => {
    upsertRow.run(group.widthMs, group.bucketStart, group.target, group.keyId, ...rollupCounterNames.map((name) => counters[name]));
  };
  // Statements by query shape, prepared once each.
  const prepared = new Map<string, Database.Statement>();
  const statement = (sql: string) => {
    let found = prepared.get(sql);
    if (found === undefined) {
      found = db.prepare(sql);
      prepared.set(sql, found);
    }
    return found;
  };
  // Parameters arrive as REAL: the step index is truncated explicitly (bucket_start ≥ since, so this is a floor).
  const stepExpression = "(? + CAST((bucket_start - ?) / ? AS INTEGER) * ?)";
  const stepParams = (query: RollupQuery) => [query.since, query.since, query.stepMs, query.stepMs];

  return {
    addTraces(traces) {
      if (traces.length === 0) return;
      const batch = rollupBatchOf(traces);
      for (const { group, counters } of batch.rows.values()) writeRow(group, counters);
      for (const { group, bin, count } of batch.latency.values()) upsertLatency.run(group.widthMs, group.bucketStart, group.target, bin, count);
      for (const { widthMs, bucketStart, model, counters } of batch.counterfactual.values()) {
        upsertCounterfactual.run(widthMs, bucketStart, model, counters.candidates, counters.predictedCostNano, counters.predictedQualitySum);
      }
    },
    addLateScore(trace, kind, score, previous) {
      const counters = lateScoreCounters(kind, score, previous);
      for (const widthMs of rollupWidthsMs) writeRow(rollupGroupOf(trace, widthMs), counters);
    },
    pruneMinutes(before) {
      const widthMs = rollupWidthsMs[0];
      pruneRows.run(widthMs, before);
      pruneLatency.run(widthMs, before);
      pruneCounterfactual.run(widthMs, before);
    },
    isEmpty() {
      return anyRow.get() === undefined;
    },
    async series(query) {
      const group = query.by === "target" ? "target" : query.by === "key" ? "key_id" : "''";
      const keyCondition = query.keyId === undefined ? "" : " AND key_id = ?";
      const sql = `SELECT ${stepExpression} AS bucket_start, ${group} AS grp, ${counterColumns.map((column) => `SUM(${column}) AS ${column}`).join(", ")}
        FROM trace_rollups WHERE width_ms = ? AND bucket_start >= ? AND bucket_start < ?${keyCondition} GROUP BY 1, 2 ORDER BY 1, 2`;
      const params: Array<number | string> = [...stepParams(query), query.widthMs, query.since, query.until];
      if (query.keyId !== undefined) params.push(query.keyId);
      const rows = statement(sql).all(...params) as Array<Record<string, number | string>>;
      return rows.map((row) => {
        const result = { bucketStart: Number(row.bucket_start), group: String(row.grp) } as RollupSeriesRow;
        rollupCounterNames.forEach((name, index) => {
          result[name] = Number(row[counterColumns[index]!] ?? 0);
        });
        return result;
      });
    },
    async latency(query) {
      const group = query.by === "target" ? "target" : "''";
      const sql = `SELECT ${stepExpression} AS bucket_start, ${group} AS grp, bin, SUM(count) AS count
        FROM trace_latency_rollups WHERE width_ms = ? AND bucket_start >= ? AND bucket_start < ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
      const rows = statement(sql).all(...stepParams(query), query.widthMs, query.since, query.until) as Array<{ bucket_start: number; grp: string; bin: number; count: number }>;
      return rows.map((row): LatencyHistogramRow => ({ bucketStart: row.bucket_start, group: row.grp, bin: row.bin, count: row.count }));
    },
    async counterfactual(query) {
      const sql = `SELECT ${stepExpression} AS bucket_start, model, SUM(candidates) AS candidates, SUM(predicted_cost_nano) AS predicted_cost_nano,
        SUM(predicted_quality_sum) AS predicted_quality_sum
        FROM trace_counterfactual_rollups WHERE width_ms = ? AND bucket_start >= ? AND bucket_start < ? GROUP BY 1, 2 ORDER BY 1, 2`;
      const rows = statement(sql).all(...stepParams(query), query.widthMs, query.since, query.until) as Array<{ bucket_start: number; model: string; candidates: number; predicted_cost_nano: number; predicted_quality_sum: number }>;
      return rows.map((row): CounterfactualRow => ({
        bucketStart: row.bucket_start,
        model: row.model,
        candidates: row.candidates,
        predictedCostNano: row.predicted_cost_nano,
        predictedQualitySum: row.predicted_quality_sum,
      }));
    },
  };
}
