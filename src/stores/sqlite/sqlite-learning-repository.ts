import type Database from "better-sqlite3";
import type { LearningContextRecord, LearningSnapshot } from "../learning-records.js";
import { judgementOf, learningContextOf, learningUpdateOf, type LearningContextRow, type LearningUpdateRow } from "../learning-row.js";
import type { LearningRepository } from "../store.js";

/**
 * {@link LearningRepository} on the gateway's SQLite file. The update log's `UNIQUE (request_id, source)`
 * is what makes "learned at most once per request and source" hold across racing calls and processes:
 * the insert is the claim (`INSERT … ON CONFLICT DO NOTHING`, one atomic statement).
 */
export function createSqliteLearningRepository(db: Database.Database): LearningRepository {
  const insertContext = db.prepare(`
    INSERT INTO learning_contexts (request_id, key_id, model, chosen_model, propensity, input, predicted_quality, predicted_cost_usd, cost_usd, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING`);
  const contextById = db.prepare("SELECT * FROM learning_contexts WHERE request_id = ?");
  const insertUpdate = db.prepare(`
    INSERT INTO learning_updates (request_id, source, model, reward, cost_usd, predicted_cost_usd, input, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (request_id, source) DO NOTHING`);
  const updateExists = db.prepare("SELECT 1 FROM learning_updates WHERE request_id = ? AND source = ?").pluck();
  const updatesAfter = db.prepare("SELECT * FROM learning_updates WHERE seq > ? ORDER BY seq");
  // sqlite_sequence keeps the highest seq ever handed out, even after the rows were pruned.
  const lastSeq = db.prepare("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'learning_updates'), 0)").pluck();
  const snapshotRow = db.prepare("SELECT * FROM learning_snapshot WHERE id = 1");
  const putSnapshot = db.prepare(`
    INSERT INTO learning_snapshot (id, router_kind, state, seq, updates, saved_at) VALUES (1, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET router_kind = excluded.router_kind, state = excluded.state, seq = excluded.seq, updates = excluded.updates, saved_at = excluded.saved_at`);
  const clearLog = db.prepare("DELETE FROM learning_updates");
  const setJudgement = db.prepare("UPDATE learning_contexts SET judge_score = ?, judge_cost_usd = ?, judged_at = ? WHERE request_id = ?");
  const pacerState = db.prepare("SELECT state FROM pacer_states WHERE scope = ?").pluck();
  const putPacerState = db.prepare("INSERT INTO pacer_states (scope, state) VALUES (?, ?) ON CONFLICT (scope) DO UPDATE SET state = excluded.state");
  const pruneContexts = db.prepare("DELETE FROM learning_contexts WHERE created_at < ?");
  const pruneUpdates = db.prepare("DELETE FROM learning_updates WHERE seq <= ? AND created_at < ?");

  const putContexts = db.transaction((records: readonly LearningContextRecord[]) => {
    for (const record of records) {
      insertContext.run(record.requestId, record.keyId, record.model, record.chosenModel, record.propensity, Buffer.from(record.input), record.predictedQuality, record.predictedCostUsd, record.costUsd, record.createdAt);
    }
  });
  const saveSnapshot = (snapshot: LearningSnapshot) => putSnapshot.run(snapshot.routerKind, snapshot.state, snapshot.seq, snapshot.updates, snapshot.savedAt);
  const reset = db.transaction((snapshot: LearningSnapshot) => {
    const seq = Number(lastSeq.get());
    clearLog.run();
    saveSnapshot({ ...snapshot, seq });
  });
  const prune = db.transaction((before: number, snapshotSeq: number) => {
    const removed = pruneContexts.run(before).changes;
    // Log entries are kept while a snapshot does not hold them (the log is the only copy), and while their
    // request can still get a reward (the row is the "already learned" claim).
    pruneUpdates.run(snapshotSeq, before);
    return removed;
  });

  return {
    async putContexts(records) {
      if (records.length > 0) putContexts(records);
    },
    async getContext(requestId) {
      const row = contextById.get(requestId) as LearningContextRow | undefined;
      return row === undefined ? undefined : learningContextOf(row);
    },
    async appendUpdate(update) {
      const result = insertUpdate.run(update.requestId, update.source, update.model, update.reward, update.costUsd, update.predictedCostUsd, Buffer.from(update.input), update.createdAt);
      return result.changes === 0 ? null : Number(result.lastInsertRowid);
    },
    async hasUpdate(requestId, source) {
      return updateExists.get(requestId, source) !== undefined;
    },
    async updatesAfter(afterSeq) {
      return (updatesAfter.all(afterSeq) as LearningUpdateRow[]).map(learningUpdateOf);
    },
    async lastSeq() {
      return Number(lastSeq.get());
    },
    async snapshot() {
      const row = snapshotRow.get() as { router_kind: string; state: string; seq: number; updates: number; saved_at: number } | undefined;
      return row === undefined ? undefined : { routerKind: row.router_kind, state: row.state, seq: row.seq, updates: row.updates, savedAt: row.saved_at };
    },
    async saveSnapshot(snapshot) {
      saveSnapshot(snapshot);
    },
    async resetLearnedState(snapshot) {
      reset(snapshot);
    },
    async setJudgement(requestId, judgement) {
      setJudgement.run(judgement.score, judgement.costUsd, judgement.at, requestId);
    },
    async getJudgement(requestId) {
      const row = contextById.get(requestId) as LearningContextRow | undefined;
      return judgementOf(row);
    },
    async pacerState(scope) {
      return pacerState.get(scope) as string | undefined;
    },
    async putPacerState(scope, state) {
      putPacerState.run(scope, state);
    },
    async prune(before, snapshotSeq) {
      return prune(before, snapshotSeq);
    },
  };
}
