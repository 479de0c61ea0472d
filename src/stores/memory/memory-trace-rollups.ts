import type { TraceRecord } from "../trace-record.js";
import {
  addRollupCounters, emptyRollupCounters, lateScoreCounters, rollupBatchOf, rollupGroupOf, rollupWidthsMs,
  type CounterfactualCounters, type LateScoreKind, type RollupCounters, type RollupGroup,
} from "../trace-rollup.js";
import type { CounterfactualRow, LatencyHistogramRow, RollupQuery, RollupSeriesRow, TraceRollupRepository } from "../trace-rollup-repository.js";

/** The memory store's rollups and the writes that keep them (the same sums as the SQLite tables). */
export interface MemoryTraceRollups extends TraceRollupRepository {
  addTraces(traces: readonly TraceRecord[]): void;
  addLateScore(group: Pick<TraceRecord, "createdAt" | "servedModel" | "requestedModel" | "keyId">, kind: LateScoreKind, score: number, previous?: number): void;
}

/** Rollups in process memory, for the memory store (tests, the demo). */
export function createMemoryTraceRollups(): MemoryTraceRollups {
  const rows = new Map<string, { group: RollupGroup; counters: RollupCounters }>();
  const latency = new Map<string, { group: RollupGroup; bin: number; count: number }>();
  const counterfactual = new Map<string, { widthMs: number; bucketStart: number; model: string; counters: CounterfactualCounters }>();
  const rowId = (group: RollupGroup) => `${group.widthMs}\u0000${group.bucketStart}\u0000${group.target}\u0000${group.keyId}`;
  const addRow = (group: RollupGroup, counters: RollupCounters) => {
    const id = rowId(group);
    const row = rows.get(id);
    if (row === undefined) rows.set(id, { group, counters: { ...counters } });
    else addRollupCounters(row.counters, counters);
  };
  const inRange = (query: RollupQuery, widthMs: number, bucketStart: number) => widthMs === query.widthMs && bucketStart >= query.since && bucketStart < query.until;
  const stepOf = (query: RollupQuery, bucketStart: number) => query.since + Math.floor((bucketStart - query.since) / query.stepMs) * query.stepMs;
  const byStep = <T>(entries: Iterable<[string, T]>, compare: (a: T, b: T) => number) => [...entries].map(([, value]) => value).sort(compare);

  return {
    addTraces(traces) {
      const batch = rollupBatchOf(traces);
      for (const { group, counters } of batch.rows.values()) addRow(group, counters);
      for (const [id, entry] of batch.latency) {
        const found = latency.get(id);
        if (found === undefined) latency.set(id, { ...entry });
        else found.count += entry.count;
      }
      for (const [id, entry] of batch.counterfactual) {
        const found = counterfactual.get(id);
        if (found === undefined) counterfactual.set(id, { ...entry, counters: { ...entry.counters } });
        else {
          found.counters.candidates += entry.counters.candidates;
          found.counters.predictedCostNano += entry.counters.predictedCostNano;
          found.counters.predictedQualitySum += entry.counters.predictedQualitySum;
        }
      }
    },
    addLateScore(trace, kind, score, previous) {
      const counters = lateScoreCounters(kind, score, previous);
      for (const widthMs of rollupWidthsMs) addRow(rollupGroupOf(trace, widthMs), counters);
    },
    async series(query) {
      const sums = new Map<string, RollupSeriesRow>();
      for (const { group, counters } of rows.values()) {
        if (!inRange(query, group.widthMs, group.bucketStart)) continue;
        if (query.keyId !== undefined && group.keyId !== query.keyId) continue;
        const bucketStart = stepOf(query, group.bucketStart);
        const name = query.by === "target" ? group.target : query.by === "key" ? group.keyId : "";
        const id = `${bucketStart}\u0000${name}`;
        let sum = sums.get(id);
        if (sum === undefined) {
          sum = { bucketStart, group: name, ...emptyRollupCounters() };
          sums.set(id, sum);
        }
        addRollupCounters(sum, counters);
      }
      return byStep(sums, (a, b) => a.bucketStart - b.bucketStart || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
    },
    async latency(query) {
      const sums = new Map<string, LatencyHistogramRow>();
      for (const { group, bin, count } of latency.values()) {
        if (!inRange(query, group.widthMs, group.bucketStart)) continue;
        const bucketStart = stepOf(query, group.bucketStart);
        const name = query.by === "target" ? group.target : "";
        const id = `${bucketStart}\u0000${name}\u0000${bin}`;
        const sum = sums.get(id);
        if (sum === undefined) sums.set(id, { bucketStart, group: name, bin, count });
        else sum.count += count;
      }
      return byStep(sums, (a, b) => a.bucketStart - b.bucketStart || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0) || a.bin - b.bin);
    },
    async counterfactual(query) {
      const sums = new Map<string, CounterfactualRow>();
      for (const entry of counterfactual.values()) {
        if (!inRange(query, entry.widthMs, entry.bucketStart)) continue;
        const bucketStart = stepOf(query, entry.bucketStart);
        const id = `${bucketStart}\u0000${entry.model}`;
        const sum = sums.get(id);
        if (sum === undefined) sums.set(id, { bucketStart, model: entry.model, ...entry.counters });
        else {
          sum.candidates += entry.counters.candidates;
          sum.predictedCostNano += entry.counters.predictedCostNano;
          sum.predictedQualitySum += entry.counters.predictedQualitySum;
        }
      }
      return byStep(sums, (a, b) => a.bucketStart - b.bucketStart || (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
    },
  };
}
