import type { TraceRecord } from "./trace-record.js";
import { nanoUsdOf } from "./usd-units.js";

/** Widths of the rollup buckets the stores keep: per minute (recent windows) and per hour (long ones). */
export const rollupWidthsMs = [60_000, 3_600_000] as const;

/** Counters of the traces of one bucket, one served target and one key. Money in integer nano-USD. */
export interface RollupCounters {
  requests: number;
  /** Status ≥ 400. */
  errors: number;
  /** Error code `rate_limited` (only present when refused requests are traced, `traces.sampleRejected`). */
  rateLimited: number;
  latencySumMs: number;
  /** Real cost, nano-USD. */
  costNano: number;
  /** Requests with a routing decision. */
  routed: number;
  /** Routed requests whose served target was among the decision's candidates (the next two are over these). */
  predicted: number;
  /** Predicted cost of the served target, nano-USD. */
  predictedCostNano: number;
  /** Predicted quality of the served target, summed. */
  predictedQualitySum: number;
  fallbacks: number;
  /** Attempts after the first one on the same target. */
  retries: number;
  /** Routed requests decided with probability < 1 (an online router explored, or a canary mixture). */
  explored: number;
  feedbackSum: number;
  feedbackCount: number;
  judgeSum: number;
  judgeCount: number;
  /** Rewards joined later from other sources (`TraceRepository.addReward`). */
  rewardSum: number;
  rewardCount: number;
}

/** The group a {@link RollupCounters} row belongs to. */
export interface RollupGroup {
  widthMs: number;
  bucketStart: number;
  /** Served target, else the requested model, else `none`. */
  target: string;
  /** API key id; `""` for requests without a key. */
  keyId: string;
}

/** What routing predicted for one candidate target, summed over the routed requests of a bucket. */
export interface CounterfactualCounters {
  /** Routed requests on which the target was a candidate. */
  candidates: number;
  predictedCostNano: number;
  predictedQualitySum: number;
}

/** Latency histogram bin of `latencyMs`: bin 0 is [0, 1) ms, bin i ≥ 1 is [r^(i−1), r^i) ms with r = 1.15 (≤ 7.5 % error). */
export function latencyBinOf(latencyMs: number): number {
  if (!(latencyMs >= 1)) return 0;
  return Math.min(maxLatencyBin, 1 + Math.floor(Math.log(latencyMs) / logRatio));
}

/** A representative latency of a bin (its geometric middle). */
export function latencyOfBin(bin: number): number {
  if (bin <= 0) return 0.5;
  return Math.exp((bin - 0.5) * logRatio);
}

const logRatio = Math.log(1.15);
/** 1.15^130 ms is about 8 days: nothing real is slower. */
const maxLatencyBin = 131;

/** The `q`-quantile (0..1) of a histogram given as bin → count; null when empty. */
export function quantileOfHistogram(histogram: ReadonlyMap<number, number>, q: number): number | null {
  let total = 0;
  for (const count of histogram.values()) total += count;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (const bin of [...histogram.keys()].sort((a, b) => a - b)) {
    seen += histogram.get(bin) ?? 0;
    if (seen >= rank) return latencyOfBin(bin);
  }
  return null;
}

/** Zeroed counters. */
export function emptyRollupCounters(): RollupCounters {
  return {
    requests: 0, errors: 0, rateLimited: 0, latencySumMs: 0, costNano: 0, routed: 0, predicted: 0, predictedCostNano: 0, predictedQualitySum: 0,
    fallbacks: 0, retries: 0, explored: 0, feedbackSum: 0, feedbackCount: 0, judgeSum: 0, judgeCount: 0, rewardSum: 0, rewardCount: 0,
  };
}

/** Adds `from` into `into`. */
export function addRollupCounters(into: RollupCounters, from: Readonly<RollupCounters>): void {
  // Spelled out rather than a loop over the names: this runs per trace on the write path, and named
  // properties stay monomorphic where a computed key does not.
  into.requests += from.requests;
  into.errors += from.errors;
  into.rateLimited += from.rateLimited;
  into.latencySumMs += from.latencySumMs;
  into.costNano += from.costNano;
  into.routed += from.routed;
  into.predicted += from.predicted;
  into.predictedCostNano += from.predictedCostNano;
  into.predictedQualitySum += from.predictedQualitySum;
  into.fallbacks += from.fallbacks;
  into.retries += from.retries;
  into.explored += from.explored;
  into.feedbackSum += from.feedbackSum;
  into.feedbackCount += from.feedbackCount;
  into.judgeSum += from.judgeSum;
  into.judgeCount += from.judgeCount;
  into.rewardSum += from.rewardSum;
  into.rewardCount += from.rewardCount;
}

/** Every counter's name, in the order the SQLite table stores them. */
export const rollupCounterNames = Object.keys(emptyRollupCounters()) as Array<keyof RollupCounters>;

/** Where a trace belongs in the rollups at a given width. */
export function rollupGroupOf(trace: Pick<TraceRecord, "createdAt" | "servedModel" | "requestedModel" | "keyId">, widthMs: number): RollupGroup {
  return {
    widthMs,
    bucketStart: Math.floor(trace.createdAt / widthMs) * widthMs,
    target: trace.servedModel ?? trace.requestedModel ?? "none",
    keyId: trace.keyId ?? "",
  };
}

/** A trace's contribution to its rollup row. */
export function rollupCountersOf(trace: TraceRecord): RollupCounters {
  const counters = emptyRollupCounters();
  counters.requests = 1;
  if (trace.status >= 400) counters.errors = 1;
  if (trace.errorCode === "rate_limited") counters.rateLimited = 1;
  counters.latencySumMs = trace.latencyMs;
  counters.costNano = trace.costUsd === null ? 0 : nanoUsdOf(trace.costUsd);
  counters.fallbacks = trace.fallbacks;
  for (const attempt of trace.attempts) if (attempt.attempt > 1) counters.retries++;
  const decision = trace.decision;
  if (decision !== null) {
    counters.routed = 1;
    if ((decision.propensity ?? 1) < 1) counters.explored = 1;
    const served = decision.candidates.find((candidate) => candidate.model === trace.servedModel);
    if (served !== undefined) {
      counters.predicted = 1;
      counters.predictedCostNano = nanoUsdOf(served.predictedCostUsd);
      counters.predictedQualitySum = served.predictedQuality;
    }
  }
  if (trace.feedback !== undefined) {
    counters.feedbackSum = trace.feedback.score;
    counters.feedbackCount = 1;
  }
  if (trace.judge !== undefined && trace.judge.score !== null) {
    counters.judgeSum = trace.judge.score;
    counters.judgeCount = 1;
  }
  for (const reward of trace.rewards ?? []) {
    counters.rewardSum += reward.score;
    counters.rewardCount += 1;
  }
  return counters;
}

/** A late score joined to a stored trace: which counters it moves. */
export type LateScoreKind = "feedback" | "judge" | "reward";

/**
 * The counters a late score changes: `previous` is the score it replaces (feedback can be given again),
 * in which case the count stays and only the sum moves.
 */
export function lateScoreCounters(kind: LateScoreKind, score: number, previous?: number): RollupCounters {
  const counters = emptyRollupCounters();
  const replacing = previous !== undefined;
  if (kind === "feedback") {
    counters.feedbackSum = score - (previous ?? 0);
    counters.feedbackCount = replacing ? 0 : 1;
  } else if (kind === "judge") {
    counters.judgeSum = score - (previous ?? 0);
    counters.judgeCount = replacing ? 0 : 1;
  } else {
    counters.rewardSum = score;
    counters.rewardCount = 1;
  }
  return counters;
}

/** Rollup rows, latency bins and counterfactual rows of a batch of traces, summed per group (what a store writes in one transaction). */
export interface RollupBatch {
  rows: Map<string, { group: RollupGroup; counters: RollupCounters }>;
  latency: Map<string, { group: RollupGroup; bin: number; count: number }>;
  counterfactual: Map<string, { widthMs: number; bucketStart: number; model: string; counters: CounterfactualCounters }>;
}

/** Sums a batch of traces into rollup rows, at every width of {@link rollupWidthsMs}. */
export function rollupBatchOf(traces: readonly TraceRecord[]): RollupBatch {
  const batch: RollupBatch = { rows: new Map(), latency: new Map(), counterfactual: new Map() };
  for (const trace of traces) {
    const counters = rollupCountersOf(trace);
    const bin = latencyBinOf(trace.latencyMs);
    for (const widthMs of rollupWidthsMs) {
      const group = rollupGroupOf(trace, widthMs);
      const id = `${widthMs}\u0000${group.bucketStart}\u0000${group.target}\u0000${group.keyId}`;
      const row = batch.rows.get(id);
      if (row === undefined) batch.rows.set(id, { group, counters: { ...counters } });
      else addRollupCounters(row.counters, counters);
      const binId = `${id}\u0000${bin}`;
      const latency = batch.latency.get(binId);
      if (latency === undefined) batch.latency.set(binId, { group, bin, count: 1 });
      else latency.count++;
      for (const candidate of trace.decision?.candidates ?? []) {
        const cfId = `${widthMs}\u0000${group.bucketStart}\u0000${candidate.model}`;
        let cf = batch.counterfactual.get(cfId);
        if (cf === undefined) {
          cf = { widthMs, bucketStart: group.bucketStart, model: candidate.model, counters: { candidates: 0, predictedCostNano: 0, predictedQualitySum: 0 } };
          batch.counterfactual.set(cfId, cf);
        }
        cf.counters.candidates++;
        cf.counters.predictedCostNano += nanoUsdOf(candidate.predictedCostUsd);
        cf.counters.predictedQualitySum += candidate.predictedQuality;
      }
    }
  }
  return batch;
}
