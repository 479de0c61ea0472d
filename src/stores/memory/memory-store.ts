import { SwitchyardError } from "../../core/errors.js";
import type { ApiKeyRecord } from "../api-key-record.js";
import type { BreakerState } from "../breaker-state.js";
import type { Store, UsageTotals } from "../store.js";
import type { TraceFilter, TraceRecord } from "../trace-record.js";
import { nanoUsdOf, usdOfNano } from "../usd-units.js";
import { createMemoryLearningRepository } from "./memory-learning-repository.js";
import { createMemoryTraceRollups } from "./memory-trace-rollups.js";

/** Usage counters with money in integer nano-USD, so sums never drift (0.001 × 10 stays 0.01). */
interface NanoTotals {
  spentNano: number;
  reservedNano: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

const emptyTotals = (): NanoTotals => ({ spentNano: 0, reservedNano: 0, requests: 0, inputTokens: 0, outputTokens: 0 });
const usdTotals = (totals: NanoTotals): UsageTotals => ({
  spentUsd: usdOfNano(totals.spentNano),
  reservedUsd: usdOfNano(totals.reservedNano),
  requests: totals.requests,
  inputTokens: totals.inputTokens,
  outputTokens: totals.outputTokens,
});

/** True when `trace` passes every condition of `filter` (shared by stores that filter in JS). */
export function traceMatches(trace: TraceRecord, filter: TraceFilter): boolean {
  if (filter.since !== undefined && trace.createdAt < filter.since) return false;
  if (filter.until !== undefined && trace.createdAt >= filter.until) return false;
  if (filter.keyId !== undefined && trace.keyId !== filter.keyId) return false;
  if (filter.model !== undefined && trace.requestedModel !== filter.model && trace.servedModel !== filter.model) return false;
  if (filter.status !== undefined && trace.status !== filter.status) return false;
  if (filter.outcome === "error" && trace.status < 400) return false;
  if (filter.outcome === "ok" && trace.status >= 400) return false;
  if (filter.before !== undefined && (trace.createdAt > filter.before.createdAt || (trace.createdAt === filter.before.createdAt && trace.id >= filter.before.id))) return false;
  if (filter.search !== undefined && filter.search !== "" && trace.id !== filter.search) {
    const needle = filter.search.toLowerCase();
    const fields = [trace.requestedModel, trace.servedModel, trace.errorCode, trace.prompt ?? null];
    if (!fields.some((field) => field !== null && field.toLowerCase().includes(needle))) return false;
  }
  return true;
}

/** Traces (and learning contexts) a memory store keeps by default before dropping the oldest. */
export const DEFAULT_MEMORY_MAX_TRACES = 50_000;

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most traces kept (default {@link DEFAULT_MEMORY_MAX_TRACES}); when a new one would exceed it, the
   * oldest inserted is dropped and counted (`droppedRecords`). The same cap applies to the online
   * learner's per-request contexts. Keys, spend totals and breaker states are never dropped (they are
   * few and money must not be forgotten).
   */
  maxTraces?: number;
}

/**
 * A {@link Store} in process memory: nothing survives a restart. For tests and throw-away runs.
 * Records are copied in and out, so callers cannot mutate what the store holds. Memory stays bounded:
 * traces and learning contexts are capped (see {@link MemoryStoreOptions.maxTraces}), oldest dropped first.
 *
 * @example
 * const store = createMemoryStore({ maxTraces: 10_000 });
 * await store.keys.insert(record);
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const maxTraces = options.maxTraces ?? DEFAULT_MEMORY_MAX_TRACES;
  if (!Number.isInteger(maxTraces) || maxTraces < 1) throw new SwitchyardError("invalid_config", `memory store maxTraces must be a positive integer (got ${String(maxTraces)})`, { param: "store.maxTraces" });
  const keys = new Map<string, ApiKeyRecord>();
  const usage = new Map<string, NanoTotals>();
  // A Map iterates in insertion order, so its first entry is the oldest trace: dropping it is O(1).
  const traces = new Map<string, TraceRecord>();
  const breakers = new Map<string, BreakerState>();
  const dropped = { traces: 0, contexts: 0 };
  const baseLearning = createMemoryLearningRepository({ maxContexts: maxTraces, onDrop: () => dropped.contexts++ });
  const rollups = createMemoryTraceRollups();
  // Judge grades also go to the rollups, grouped by the request's learning context.
  const learning: typeof baseLearning = {
    ...baseLearning,
    async setJudgement(requestId, judgement) {
      const context = await baseLearning.getContext(requestId);
      const previous = await baseLearning.getJudgement(requestId);
      await baseLearning.setJudgement(requestId, judgement);
      if (context === undefined || judgement.score === null) return;
      const group = { createdAt: context.createdAt, servedModel: context.chosenModel, requestedModel: context.chosenModel, keyId: context.keyId };
      rollups.addLateScore(group, "judge", judgement.score, previous?.score ?? undefined);
    },
  };
  let revision = 0;
  const usageKey = (keyId: string, periodStart: number) => `${keyId}\u0000${periodStart}`;
  const totalsOf = (keyId: string, periodStart: number): NanoTotals => {
    const id = usageKey(keyId, periodStart);
    let totals = usage.get(id);
    if (!totals) {
      totals = emptyTotals();
      usage.set(id, totals);
    }
    return totals;
  };

  return {
    kind: "memory",
    keys: {
      async insert(record) {
        for (const existing of keys.values()) {
          if (existing.revokedAt === null && existing.name === record.name) {
            throw new SwitchyardError("invalid_request", `An active key named "${record.name}" already exists`, { param: "name" });
          }
        }
        keys.set(record.id, structuredClone(record));
        revision++;
      },
      async findByHash(hash) {
        for (const record of keys.values()) if (record.hash === hash) return structuredClone(record);
        return undefined;
      },
      async findById(id) {
        const record = keys.get(id);
        return record ? structuredClone(record) : undefined;
      },
      async list() {
        return [...keys.values()].sort((a, b) => a.createdAt - b.createdAt).map((record) => structuredClone(record));
      },
      async revoke(id, at) {
        const record = keys.get(id);
        if (!record || record.revokedAt !== null) return false;
        record.revokedAt = at;
        revision++;
        return true;
      },
      revision: () => revision,
      async countAll() {
        return keys.size;
      },
      async countActive() {
        let count = 0;
        for (const record of keys.values()) if (record.revokedAt === null) count++;
        return count;
      },
    },
    usage: {
      async reserve({ keyId, periodStart, amountUsd, limitUsd }) {
        const totals = totalsOf(keyId, periodStart);
        const amount = nanoUsdOf(amountUsd);
        const ok = totals.spentNano + totals.reservedNano + amount <= nanoUsdOf(limitUsd);
        if (ok) totals.reservedNano += amount;
        return { ok, totals: usdTotals(totals) };
      },
      async settle({ keyId, periodStart, reservedUsd, actualUsd, inputTokens, outputTokens }) {
        const totals = totalsOf(keyId, periodStart);
        totals.reservedNano = Math.max(0, totals.reservedNano - nanoUsdOf(reservedUsd));
        totals.spentNano += nanoUsdOf(actualUsd);
        totals.requests += 1;
        totals.inputTokens += inputTokens;
        totals.outputTokens += outputTokens;
      },
      async totals(keyId, periodStart) {
        return usdTotals(usage.get(usageKey(keyId, periodStart)) ?? emptyTotals());
      },
      async clearReservations() {
        for (const totals of usage.values()) totals.reservedNano = 0;
      },
    },
    traces: {
      async insertMany(records) {
        const inserted: TraceRecord[] = [];
        for (const record of records) {
          if (traces.has(record.id)) continue;
          if (traces.size >= maxTraces) {
            const oldest = traces.keys().next().value as string;
            traces.delete(oldest);
            dropped.traces++;
          }
          traces.set(record.id, structuredClone(record));
          inserted.push(record);
        }
        rollups.addTraces(inserted);
      },
      async get(id) {
        const record = traces.get(id);
        if (!record) return undefined;
        const judge = await learning.getJudgement(id);
        return judge ? { ...structuredClone(record), judge } : structuredClone(record);
      },
      async findByClientRequestId(keyId, clientRequestId) {
        let found: TraceRecord | undefined;
        for (const trace of traces.values()) {
          if (trace.keyId === keyId && trace.clientRequestId === clientRequestId && (found === undefined || trace.createdAt >= found.createdAt)) found = trace;
        }
        return found ? structuredClone(found) : undefined;
      },
      async list(filter = {}) {
        const limit = filter.limit ?? 100;
        return [...traces.values()]
          .filter((trace) => traceMatches(trace, filter))
          .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
          .slice(0, limit)
          .map((trace) => structuredClone(trace));
      },
      async setFeedback(id, feedback) {
        const record = traces.get(id);
        if (!record) return false;
        const previous = record.feedback?.score;
        record.feedback = { ...feedback };
        rollups.addLateScore(record, "feedback", feedback.score, previous);
        return true;
      },
      async addReward(id, reward) {
        const record = traces.get(id);
        if (!record) return false;
        record.rewards = [...(record.rewards ?? []), { ...reward }];
        rollups.addLateScore(record, "reward", reward.score);
        return true;
      },
      async prune(before) {
        let removed = 0;
        for (const [id, trace] of traces) {
          if (trace.createdAt < before) {
            traces.delete(id);
            removed++;
          }
        }
        return removed;
      },
    },
    breakers: {
      async all() {
        return [...breakers.values()].map((state) => ({ ...state }));
      },
      async put(state) {
        breakers.set(state.targetId, { ...state });
      },
    },
    learning,
    rollups,
    droppedRecords: () => ({ ...dropped }),
    async close() {},
  };
}
