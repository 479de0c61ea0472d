import { SwitchyardError } from "../core/errors.js";
import { periodEndOf, periodStartOf } from "../limits/budget-period.js";
import type { Store } from "../stores/store.js";
import { quantileOfHistogram, type RollupCounters } from "../stores/trace-rollup.js";
import type { CounterfactualRow, LatencyHistogramRow, TraceRollupRepository } from "../stores/trace-rollup-repository.js";
import { usdOfNano } from "../stores/usd-units.js";
import { placeWindow, rollupQueryOf, type DashboardWindowName, type PlacedWindow } from "./dashboard-window.js";

/** The parts of a {@link Store} the dashboard reads (a read-only connection on a worker thread provides them too). */
export interface DashboardStore {
  readonly kind: string;
  readonly keys: Pick<Store["keys"], "list">;
  readonly usage: Pick<Store["usage"], "totals">;
  readonly traces: Pick<Store["traces"], "list">;
  readonly learning: Pick<Store["learning"], "pacerState" | "snapshot" | "lastSeq">;
  readonly rollups?: Store["rollups"];
}

/** What the dashboard's numbers are read from. */
export interface DashboardSources {
  store: DashboardStore;
  /** Configured target ids, in config order. */
  targets: readonly string[];
  /** `ui.defaultModel`. */
  defaultModel: string | undefined;
  /** Circuit-breaker phase of a target (`closed`, `half-open`, `open`). */
  breakerPhase(target: string): string;
  /** Whether an online router learns in this gateway. */
  learnerActive: boolean;
  /** Rate-limit refusals per key name since the process started. */
  rateLimitHits(): ReadonlyMap<string, number>;
  now(): number;
}

/** How the savings are estimated (also in docs/dashboard.md). */
export const savingsMethod =
  "For every routed request the decision log keeps each candidate's predicted cost and quality. The cost of the same traffic on model M is M's mean predicted cost over the routed requests where M was a candidate, times the routed requests; routing's own cost is the served targets' mean predicted cost times the same count. Savings = the difference (predicted, not billed: compare with the real spend beside it). The best single model is the candidate with the highest mean predicted quality among those that were candidates on at least half of the routed requests.";

const round = (value: number, digits = 6) => Math.round(value * 10 ** digits) / 10 ** digits;
const mean = (sum: number, count: number) => (count > 0 ? round(sum / count, 4) : null);

function rollupsOf(store: DashboardStore): TraceRollupRepository {
  if (store.rollups === undefined) throw new SwitchyardError("not_found", `The ${store.kind} store keeps no rollups; the dashboard needs the sqlite or memory store`);
  return store.rollups;
}

function sumCounters(rows: readonly RollupCounters[]): RollupCounters | undefined {
  return rows[0] === undefined ? undefined : rows.reduce((total, row) => {
    const sum = { ...total };
    for (const name of Object.keys(row) as Array<keyof RollupCounters>) if (typeof row[name] === "number" && name in sum) sum[name] += row[name];
    return sum;
  });
}

function histogramOf(rows: readonly LatencyHistogramRow[]): Map<number, number> {
  const histogram = new Map<number, number>();
  for (const row of rows) histogram.set(row.bin, (histogram.get(row.bin) ?? 0) + row.count);
  return histogram;
}

const quantileMs = (histogram: ReadonlyMap<number, number>, q: number) => {
  const value = quantileOfHistogram(histogram, q);
  return value === null ? null : round(value, 2);
};

/** The quality signals of a set of counters, each labelled by where it comes from. */
function qualityOf(counters: RollupCounters | undefined) {
  return {
    feedback: { label: "client feedback (POST /v1/feedback)", mean: counters ? mean(counters.feedbackSum, counters.feedbackCount) : null, count: counters?.feedbackCount ?? 0 },
    judge: { label: "sampled LLM judge (online learning)", mean: counters ? mean(counters.judgeSum, counters.judgeCount) : null, count: counters?.judgeCount ?? 0 },
    rewards: { label: "rewards joined later (graders, signals)", mean: counters ? mean(counters.rewardSum, counters.rewardCount) : null, count: counters?.rewardCount ?? 0 },
    predicted: { label: "router's predicted quality of the served model", mean: counters ? mean(counters.predictedQualitySum, counters.predicted) : null, count: counters?.predicted ?? 0 },
  };
}

/** One counterfactual target: what the routed traffic would have cost on it (predicted). */
function counterfactualOf(row: CounterfactualRow | undefined, routed: number, routingCostUsd: number) {
  if (row === undefined || row.candidates === 0) return null;
  const costUsd = (usdOfNano(row.predictedCostNano) / row.candidates) * routed;
  const savingsUsd = costUsd - routingCostUsd;
  return {
    model: row.model,
    coverage: round(row.candidates / Math.max(1, routed), 4),
    predictedQuality: mean(row.predictedQualitySum, row.candidates),
    predictedCostUsd: round(costUsd),
    savingsUsd: round(savingsUsd),
    savingsFraction: costUsd > 0 ? round(savingsUsd / costUsd, 4) : null,
  };
}

/** `GET /admin/api/overview`: traffic, latency, errors, spend, savings and quality over a window. */
export async function overviewOf(sources: DashboardSources, windowName: DashboardWindowName) {
  const rollups = rollupsOf(sources.store);
  const now = sources.now();
  const window = placeWindow(windowName, now);
  const [totalRows, seriesRows, latencyTotal, latencySeries, counterfactualTotal, counterfactualSeries, lastMinutes] = await Promise.all([
    rollups.series(rollupQueryOf(window, { total: true })),
    rollups.series(rollupQueryOf(window)),
    rollups.latency(rollupQueryOf(window, { total: true })),
    rollups.latency(rollupQueryOf(window)),
    rollups.counterfactual(rollupQueryOf(window, { total: true })),
    rollups.counterfactual(rollupQueryOf(window)),
    rollups.series(rollupQueryOf(placeWindow("24h", now), { total: true })),
  ]);
  const total = sumCounters(totalRows);
  const lastDay = sumCounters(lastMinutes);
  const elapsedSeconds = Math.max(1, (Math.min(now, window.until) - window.since) / 1000);
  const routed = total?.routed ?? 0;
  const routingCostUsd = total && total.predicted > 0 ? (usdOfNano(total.predictedCostNano) / total.predicted) * routed : 0;
  const models = counterfactualTotal.map((row) => counterfactualOf(row, routed, routingCostUsd)).filter((entry) => entry !== null);
  const eligible = models.filter((entry) => entry.coverage >= 0.5);
  const best = eligible.reduce<(typeof models)[number] | undefined>((found, entry) => {
    if (found === undefined) return entry;
    const quality = entry.predictedQuality ?? 0;
    const foundQuality = found.predictedQuality ?? 0;
    return quality > foundQuality || (quality === foundQuality && entry.predictedCostUsd < found.predictedCostUsd) ? entry : found;
  }, undefined);
  const defaultEntry = sources.defaultModel === undefined ? undefined : models.find((entry) => entry.model === sources.defaultModel);

  const latencyBySteps = new Map<number, LatencyHistogramRow[]>();
  for (const row of latencySeries) latencyBySteps.set(row.bucketStart, [...(latencyBySteps.get(row.bucketStart) ?? []), row]);
  const counterfactualBySteps = new Map<number, CounterfactualRow[]>();
  for (const row of counterfactualSeries) counterfactualBySteps.set(row.bucketStart, [...(counterfactualBySteps.get(row.bucketStart) ?? []), row]);
  const seriesByStep = new Map(seriesRows.map((row) => [row.bucketStart, row]));
  const series = [];
  for (let start = window.since; start < window.until; start += window.stepMs) {
    const row = seriesByStep.get(start);
    const histogram = histogramOf(latencyBySteps.get(start) ?? []);
    const stepRouted = row?.routed ?? 0;
    const stepCounterfactual = (model: string | undefined) => {
      const found = model === undefined ? undefined : counterfactualBySteps.get(start)?.find((entry) => entry.model === model);
      return found === undefined || found.candidates === 0 ? null : round((usdOfNano(found.predictedCostNano) / found.candidates) * stepRouted);
    };
    series.push({
      t: start,
      requests: row?.requests ?? 0,
      errors: row?.errors ?? 0,
      spendUsd: round(usdOfNano(row?.costNano ?? 0)),
      latencyP50Ms: quantileMs(histogram, 0.5),
      latencyP99Ms: quantileMs(histogram, 0.99),
      routingPredictedCostUsd: row && row.predicted > 0 ? round((usdOfNano(row.predictedCostNano) / row.predicted) * stepRouted) : null,
      bestSinglePredictedCostUsd: stepCounterfactual(best?.model),
      defaultPredictedCostUsd: stepCounterfactual(defaultEntry?.model),
    });
  }
  const histogram = histogramOf(latencyTotal);
  return {
    object: "dashboard.overview",
    window: { name: window.name, since: window.since, until: window.until, stepMs: window.stepMs },
    generatedAt: now,
    totals: {
      requests: total?.requests ?? 0,
      requestsPerSecond: round((total?.requests ?? 0) / elapsedSeconds, 4),
      errors: total?.errors ?? 0,
      errorRate: total && total.requests > 0 ? round(total.errors / total.requests, 4) : null,
      latencyP50Ms: quantileMs(histogram, 0.5),
      latencyP99Ms: quantileMs(histogram, 0.99),
      spendUsd: round(usdOfNano(total?.costNano ?? 0)),
      spendPerHourUsd: round(usdOfNano(total?.costNano ?? 0) / (elapsedSeconds / 3600)),
      spendLast24hUsd: round(usdOfNano(lastDay?.costNano ?? 0)),
      fallbacks: total?.fallbacks ?? 0,
      retries: total?.retries ?? 0,
    },
    savings: {
      method: savingsMethod,
      routed,
      routingPredictedCostUsd: round(routingCostUsd),
      bestSingle: best ?? null,
      defaultModel: sources.defaultModel === undefined ? null : (defaultEntry ?? { model: sources.defaultModel, coverage: 0, predictedQuality: null, predictedCostUsd: null, savingsUsd: null, savingsFraction: null }),
      models: models.sort((a, b) => a.model.localeCompare(b.model)),
    },
    quality: qualityOf(total),
    series,
  };
}

/** `GET /admin/api/models`: per target share, spend, latency, error rate, breaker state and quality signals. */
export async function modelsOf(sources: DashboardSources, windowName: DashboardWindowName) {
  const rollups = rollupsOf(sources.store);
  const window = placeWindow(windowName, sources.now());
  const [rows, latency] = await Promise.all([rollups.series(rollupQueryOf(window, { total: true, by: "target" })), rollups.latency(rollupQueryOf(window, { total: true, by: "target" }))]);
  const all = rows.reduce((sum, row) => sum + row.requests, 0);
  const names = [...new Set([...sources.targets, ...rows.map((row) => row.group)])];
  const models = names.map((target) => {
    const row = rows.find((entry) => entry.group === target);
    const histogram = histogramOf(latency.filter((entry) => entry.group === target));
    return {
      target,
      configured: sources.targets.includes(target),
      requests: row?.requests ?? 0,
      share: all > 0 ? round((row?.requests ?? 0) / all, 4) : 0,
      spendUsd: round(usdOfNano(row?.costNano ?? 0)),
      latencyP50Ms: quantileMs(histogram, 0.5),
      latencyP99Ms: quantileMs(histogram, 0.99),
      errors: row?.errors ?? 0,
      errorRate: row && row.requests > 0 ? round(row.errors / row.requests, 4) : null,
      fallbacks: row?.fallbacks ?? 0,
      retries: row?.retries ?? 0,
      breaker: sources.targets.includes(target) ? sources.breakerPhase(target) : null,
      quality: qualityOf(row),
    };
  });
  return { object: "dashboard.models", window: { name: window.name, since: window.since, until: window.until }, generatedAt: sources.now(), models };
}

interface PacerStateText {
  spentUsd?: number;
  requests?: number;
  logMultiplier?: number;
  periodStartMs?: number;
}

/** `GET /admin/api/keys`: spend against budget per key and period, pacing, rate-limit hits. Key secrets, hashes and prefixes are never part of it. */
export async function keysOf(sources: DashboardSources) {
  const { store } = sources;
  const now = sources.now();
  const hits = sources.rateLimitHits();
  const keys = await store.keys.list();
  const dayRows = await rollupsOf(store).series(rollupQueryOf(placeWindow("24h", now), { total: true, by: "key" }));
  const entries = await Promise.all(
    keys.map(async (key) => {
      const periodStart = periodStartOf(key.budgetPeriod, now);
      const periodEnd = periodEndOf(key.budgetPeriod, now);
      const totals = await store.usage.totals(key.id, periodStart);
      const pacerText = await store.learning.pacerState(`key:${key.id}`);
      let pacing = null;
      if (pacerText !== undefined) {
        const state = JSON.parse(pacerText) as PacerStateText;
        pacing = { spentUsd: state.spentUsd ?? null, requests: state.requests ?? null, willingnessMultiplier: state.logMultiplier === undefined ? null : round(Math.exp(state.logMultiplier), 4) };
      }
      const day = dayRows.find((row) => row.group === key.id);
      const elapsed = Number.isFinite(periodEnd) ? round((now - periodStart) / (periodEnd - periodStart), 4) : null;
      return {
        id: key.id,
        name: key.name,
        revoked: key.revokedAt !== null,
        createdAt: key.createdAt,
        budget: {
          period: key.budgetPeriod,
          periodStart,
          periodEnd: Number.isFinite(periodEnd) ? periodEnd : null,
          limitUsd: key.budgetUsd,
          spentUsd: round(totals.spentUsd),
          reservedUsd: round(totals.reservedUsd),
          usedFraction: key.budgetUsd !== null && key.budgetUsd > 0 ? round(totals.spentUsd / key.budgetUsd, 4) : null,
          periodElapsedFraction: elapsed,
          requests: totals.requests,
        },
        limits: { rpm: key.rpm, tpm: key.tpm, models: key.models },
        pacing,
        rateLimitHits: { sinceStart: hits.get(key.name) ?? 0, traced24h: day?.rateLimited ?? 0 },
        last24h: { requests: day?.requests ?? 0, errors: day?.errors ?? 0, spendUsd: round(usdOfNano(day?.costNano ?? 0)) },
      };
    }),
  );
  return { object: "dashboard.keys", generatedAt: now, keys: entries, openRateLimitHits: hits.get("open") ?? 0 };
}

/** `GET /admin/api/learning`: traffic share over time per target, rewards and exploration (meaningful when an online router runs). */
export async function learningOf(sources: DashboardSources, windowName: DashboardWindowName) {
  const rollups = rollupsOf(sources.store);
  const window: PlacedWindow = placeWindow(windowName, sources.now());
  const [byTarget, steps] = await Promise.all([rollups.series(rollupQueryOf(window, { by: "target" })), rollups.series(rollupQueryOf(window))]);
  // Routed requests no target answered stay in the step's total (shares then add up to less than 1).
  const targets = [...new Set(byTarget.filter((row) => row.routed > 0 && sources.targets.includes(row.group)).map((row) => row.group))].sort();
  const stepRows = new Map(steps.map((row) => [row.bucketStart, row]));
  const series = [];
  for (let start = window.since; start < window.until; start += window.stepMs) {
    const step = stepRows.get(start);
    const routed = step?.routed ?? 0;
    const share: Record<string, number | null> = {};
    for (const target of targets) {
      const row = byTarget.find((entry) => entry.bucketStart === start && entry.group === target);
      share[target] = routed > 0 ? round((row?.routed ?? 0) / routed, 4) : null;
    }
    const rewardCount = (step?.feedbackCount ?? 0) + (step?.judgeCount ?? 0) + (step?.rewardCount ?? 0);
    const rewardSum = (step?.feedbackSum ?? 0) + (step?.judgeSum ?? 0) + (step?.rewardSum ?? 0);
    series.push({ t: start, routed, share, rewardMean: mean(rewardSum, rewardCount), rewards: rewardCount, explorationRate: routed > 0 ? round((step?.explored ?? 0) / routed, 4) : null });
  }
  const snapshot = await sources.store.learning.snapshot();
  const lastSeq = await sources.store.learning.lastSeq();
  const total = sumCounters(steps);
  return {
    object: "dashboard.learning",
    active: sources.learnerActive,
    window: { name: window.name, since: window.since, until: window.until, stepMs: window.stepMs },
    generatedAt: sources.now(),
    learner: { routerKind: snapshot?.routerKind ?? null, updates: Math.max(snapshot?.updates ?? 0, 0) + Math.max(0, lastSeq - (snapshot?.seq ?? 0)), snapshotAt: snapshot?.savedAt ?? null },
    totals: { routed: total?.routed ?? 0, explored: total?.explored ?? 0, quality: qualityOf(total) },
    targets,
    series,
  };
}
