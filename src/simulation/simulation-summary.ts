import type { StepRecord } from "./simulate.js";

/** One window of steps of one router. */
export interface SimulationWindow {
  fromStep: number;
  /** Exclusive. */
  toStep: number;
  meanReward: number;
  meanCostUsd: number;
  /** Share of the window's steps served by each model (refused steps count for no model). */
  share: Record<string, number>;
}

/** Latency percentiles (ms). */
export interface LatencySummary {
  p50: number;
  p99: number;
  count: number;
}

/** What one router did over the stream. */
export interface RouterRunSummary {
  router: string;
  meanReward: number;
  meanCostUsd: number;
  totalCostUsd: number;
  /** Steps refused by the budget guard. */
  refused: number;
  share: Record<string, number>;
  windows: SimulationWindow[];
  /** Cumulative regret (utility wtp × reward − cost) at the end of each window, against the best fixed model in hindsight. */
  regretVsBestFixed: number[];
  /** The same against the offline reference router. */
  regretVsOffline: number[];
  decisionMs: LatencySummary;
  updateMs: LatencySummary;
  wallMs: number;
}

function shareOf(records: readonly StepRecord[], models: readonly string[]): Record<string, number> {
  const share: Record<string, number> = Object.fromEntries(models.map((model) => [model, 0]));
  for (const record of records) if (record.model !== null) share[record.model] = (share[record.model] ?? 0) + 1 / Math.max(1, records.length);
  return share;
}

/** Means, shares and per-window figures of one router's records (regrets are filled in by the caller). */
export function summarizeRun(router: string, records: readonly StepRecord[], options: { windowSize: number; models: readonly string[] }): Omit<RouterRunSummary, "decisionMs" | "updateMs" | "wallMs"> {
  const n = Math.max(1, records.length);
  const windows: SimulationWindow[] = [];
  for (let from = 0; from < records.length; from += options.windowSize) {
    const slice = records.slice(from, from + options.windowSize);
    windows.push({
      fromStep: from,
      toStep: from + slice.length,
      meanReward: slice.reduce((sum, r) => sum + r.reward, 0) / slice.length,
      meanCostUsd: slice.reduce((sum, r) => sum + r.costUsd, 0) / slice.length,
      share: shareOf(slice, options.models),
    });
  }
  const totalCostUsd = records.reduce((sum, r) => sum + r.costUsd, 0);
  return {
    router,
    meanReward: records.reduce((sum, r) => sum + r.reward, 0) / n,
    meanCostUsd: totalCostUsd / n,
    totalCostUsd,
    refused: records.filter((r) => r.model === null).length,
    share: shareOf(records, options.models),
    windows,
    regretVsBestFixed: [],
    regretVsOffline: [],
  };
}

/** p50 and p99 of a list of durations. */
export function latencyOf(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { p50: 0, p99: 0, count: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99), count: values.length };
}
