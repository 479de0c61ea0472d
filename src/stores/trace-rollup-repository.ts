import type { CounterfactualCounters, RollupCounters } from "./trace-rollup.js";

/** Which rollup rows a query reads and how it groups them. */
export interface RollupQuery {
  /** Bucket width to read: one of `rollupWidthsMs` (per minute or per hour). */
  widthMs: number;
  /** Epoch milliseconds, inclusive (rounded down to the width by the caller). */
  since: number;
  /** Epoch milliseconds, exclusive. */
  until: number;
  /** Rows are summed into steps of this many ms counted from `since` (a multiple of `widthMs`; `until − since` for one total). */
  stepMs: number;
  /** Also group by served target or by key; without it `group` is `""`. */
  by?: "target" | "key";
  /** Only this key's rows (`""`: requests without a key). */
  keyId?: string;
}

/** Summed counters of one step (and one target or key when grouped). */
export interface RollupSeriesRow extends RollupCounters {
  bucketStart: number;
  group: string;
}

/** Latency histogram counts of one step (and one target when grouped by target). */
export interface LatencyHistogramRow {
  bucketStart: number;
  group: string;
  bin: number;
  count: number;
}

/** What routing predicted for one candidate target over one step. */
export interface CounterfactualRow extends CounterfactualCounters {
  bucketStart: number;
  model: string;
}

/**
 * Aggregates of the traces kept by the store as traces are written (per minute and per hour, per served
 * target and key), so dashboards read a few thousand rows instead of millions of traces. Late scores
 * (feedback, judge grades, rewards) are added to the row of their trace when they arrive.
 */
export interface TraceRollupRepository {
  series(query: RollupQuery): Promise<RollupSeriesRow[]>;
  /** Latency histogram (bins of `latencyBinOf`); `by: "key"` is not kept and reads as ungrouped. */
  latency(query: RollupQuery): Promise<LatencyHistogramRow[]>;
  /** Per candidate model: how often it was a candidate and its summed predicted cost and quality (`by` is ignored). */
  counterfactual(query: RollupQuery): Promise<CounterfactualRow[]>;
}
