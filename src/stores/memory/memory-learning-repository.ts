import type { JudgementRecord, LearningContextRecord, LearningSnapshot, LearningUpdateRecord } from "../learning-records.js";
import type { LearningRepository } from "../store.js";

/**
 * {@link LearningRepository} in process memory (tests, throw-away runs); records are copied in and out.
 * With `maxContexts`, the oldest per-request context is dropped (and `onDrop` called) when a new one
 * would exceed it; its judgement goes with it; the update log (emptied as snapshots cover it) and snapshot are kept.
 */
export function createMemoryLearningRepository(options: { maxContexts?: number; onDrop?: () => void } = {}): LearningRepository {
  const maxContexts = options.maxContexts ?? Number.POSITIVE_INFINITY;
  const contexts = new Map<string, LearningContextRecord>();
  const updates: LearningUpdateRecord[] = [];
  const claimed = new Set<string>();
  const judgements = new Map<string, JudgementRecord>();
  const pacers = new Map<string, string>();
  let snapshot: LearningSnapshot | undefined;
  let seq = 0;
  const claimOf = (requestId: string, source: string) => `${requestId}\u0000${source}`;
  return {
    async putContexts(records) {
      for (const record of records) {
        if (contexts.has(record.requestId)) continue;
        if (contexts.size >= maxContexts) {
          const oldest = contexts.keys().next().value as string;
          contexts.delete(oldest);
          judgements.delete(oldest);
          options.onDrop?.();
        }
        contexts.set(record.requestId, structuredClone(record));
      }
    },
    async getContext(requestId) {
      const record = contexts.get(requestId);
      return record ? structuredClone(record) : undefined;
    },
    async appendUpdate(update) {
      const claim = claimOf(update.requestId, update.source);
      if (claimed.has(claim)) return null;
      claimed.add(claim);
      seq += 1;
      updates.push(structuredClone({ ...update, seq }));
      return seq;
    },
    async hasUpdate(requestId, source) {
      return claimed.has(claimOf(requestId, source));
    },
    async updatesAfter(afterSeq) {
      return updates.filter((update) => update.seq > afterSeq).map((update) => structuredClone(update));
    },
    async lastSeq() {
      return seq;
    },
    async snapshot() {
      return snapshot ? { ...snapshot } : undefined;
    },
    async saveSnapshot(next) {
      snapshot = { ...next };
    },
    async resetLearnedState(next) {
      updates.length = 0;
      snapshot = { ...next, seq };
    },
    async setJudgement(requestId, judgement) {
      judgements.set(requestId, { ...judgement });
    },
    async getJudgement(requestId) {
      const judgement = judgements.get(requestId);
      return judgement ? { ...judgement } : undefined;
    },
    async pacerState(scope) {
      return pacers.get(scope);
    },
    async putPacerState(scope, state) {
      pacers.set(scope, state);
    },
    async prune(before, snapshotSeq) {
      let removed = 0;
      for (const [id, record] of contexts) {
        if (record.createdAt >= before) continue;
        contexts.delete(id);
        judgements.delete(id);
        removed++;
      }
      for (let i = updates.length - 1; i >= 0; i--) {
        const update = updates[i]!;
        if (update.seq <= snapshotSeq && update.createdAt < before) {
          updates.splice(i, 1);
          claimed.delete(claimOf(update.requestId, update.source));
        }
      }
      return removed;
    },
  };
}
