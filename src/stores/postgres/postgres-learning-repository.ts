import type pg from "pg";
import type { LearningContextRecord, LearningSnapshot, RewardSource } from "../learning-records.js";
import { judgementOf, learningContextOf, learningUpdateOf, type LearningContextRow, type LearningUpdateRow } from "../learning-row.js";
import type { LearningRepository } from "../store.js";
import { inTransaction } from "./postgres-connection.js";

/**
 * {@link LearningRepository} in PostgreSQL. `appendUpdate` takes the next seq from the one-row
 * `learning_seq` counter in the same transaction as the insert: the row lock orders appenders, so seqs
 * are gap-free and increase in commit order, across instances too (a reader that has seen seq n has
 * seen every seq below it). `UNIQUE (request_id, source)` is the "learned at most once" claim; a
 * conflicting insert rolls its seq back.
 */
export function createPostgresLearningRepository(pool: pg.Pool): LearningRepository {
  const saveSnapshot = (client: pg.Pool | pg.PoolClient, snapshot: LearningSnapshot) =>
    client.query(
      `INSERT INTO learning_snapshot (id, router_kind, state, seq, updates, saved_at) VALUES (1, $1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET router_kind = excluded.router_kind, state = excluded.state, seq = excluded.seq, updates = excluded.updates, saved_at = excluded.saved_at`,
      [snapshot.routerKind, snapshot.state, snapshot.seq, snapshot.updates, snapshot.savedAt],
    );
  const contextRow = async (requestId: string) => (await pool.query<LearningContextRow>("SELECT * FROM learning_contexts WHERE request_id = $1", [requestId])).rows[0];
  return {
    async putContexts(records: readonly LearningContextRecord[]) {
      if (records.length === 0) return;
      await pool.query(
        `INSERT INTO learning_contexts (request_id, key_id, model, chosen_model, propensity, input, predicted_quality, predicted_cost_usd, cost_usd, created_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::bytea[], $7::float8[], $8::float8[], $9::float8[], $10::bigint[])
         ON CONFLICT (request_id) DO NOTHING`,
        [
          records.map((record) => record.requestId),
          records.map((record) => record.keyId),
          records.map((record) => record.model),
          records.map((record) => record.chosenModel),
          records.map((record) => record.propensity),
          records.map((record) => Buffer.from(record.input)),
          records.map((record) => record.predictedQuality),
          records.map((record) => record.predictedCostUsd),
          records.map((record) => record.costUsd),
          records.map((record) => record.createdAt),
        ],
      );
    },
    async getContext(requestId) {
      const row = await contextRow(requestId);
      return row === undefined ? undefined : learningContextOf(row);
    },
    async appendUpdate(update) {
      // Checked first so a repeat (the common refusal) does not queue behind the counter's lock.
      if (await this.hasUpdate(update.requestId, update.source)) return null;
      try {
        return await inTransaction(pool, async (client) => {
          const seq = Number((await client.query<{ seq: number }>("UPDATE learning_seq SET seq = seq + 1 WHERE id = 1 RETURNING seq")).rows[0]?.seq);
          const inserted = await client.query(
            `INSERT INTO learning_updates (seq, request_id, source, model, reward, cost_usd, predicted_cost_usd, input, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (request_id, source) DO NOTHING`,
            [seq, update.requestId, update.source, update.model, update.reward, update.costUsd, update.predictedCostUsd, Buffer.from(update.input), update.createdAt],
          );
          if ((inserted.rowCount ?? 0) === 0) throw new AlreadyLearned();
          return seq;
        });
      } catch (error) {
        if (error instanceof AlreadyLearned) return null;
        throw error;
      }
    },
    async hasUpdate(requestId: string, source: RewardSource) {
      return ((await pool.query("SELECT 1 FROM learning_updates WHERE request_id = $1 AND source = $2", [requestId, source])).rowCount ?? 0) > 0;
    },
    async updatesAfter(afterSeq) {
      const rows = (await pool.query<LearningUpdateRow>("SELECT * FROM learning_updates WHERE seq > $1 ORDER BY seq", [afterSeq])).rows;
      return rows.map(learningUpdateOf);
    },
    async lastSeq() {
      return Number((await pool.query<{ seq: number }>("SELECT seq FROM learning_seq WHERE id = 1")).rows[0]?.seq ?? 0);
    },
    async snapshot() {
      const row = (await pool.query<{ router_kind: string; state: string; seq: number; updates: number; saved_at: number }>("SELECT * FROM learning_snapshot WHERE id = 1")).rows[0];
      return row === undefined ? undefined : { routerKind: row.router_kind, state: row.state, seq: row.seq, updates: row.updates, savedAt: row.saved_at };
    },
    async saveSnapshot(snapshot) {
      await saveSnapshot(pool, snapshot);
    },
    async resetLearnedState(snapshot) {
      await inTransaction(pool, async (client) => {
        // The counter's lock keeps appenders out until the log is cleared and the snapshot names its end.
        const seq = Number((await client.query<{ seq: number }>("SELECT seq FROM learning_seq WHERE id = 1 FOR UPDATE")).rows[0]?.seq ?? 0);
        await client.query("DELETE FROM learning_updates");
        await saveSnapshot(client, { ...snapshot, seq });
      });
    },
    async setJudgement(requestId, judgement) {
      await pool.query("UPDATE learning_contexts SET judge_score = $1, judge_cost_usd = $2, judged_at = $3 WHERE request_id = $4", [judgement.score, judgement.costUsd, judgement.at, requestId]);
    },
    async getJudgement(requestId) {
      const row = await contextRow(requestId);
      return judgementOf(row);
    },
    async pacerState(scope) {
      return (await pool.query<{ state: string }>("SELECT state FROM pacer_states WHERE scope = $1", [scope])).rows[0]?.state;
    },
    async putPacerState(scope, state) {
      await pool.query("INSERT INTO pacer_states (scope, state) VALUES ($1, $2) ON CONFLICT (scope) DO UPDATE SET state = excluded.state", [scope, state]);
    },
    async prune(before, snapshotSeq) {
      return inTransaction(pool, async (client) => {
        const removed = (await client.query("DELETE FROM learning_contexts WHERE created_at < $1", [before])).rowCount ?? 0;
        // Log entries stay while no snapshot holds them, and while their request can still get a reward.
        await client.query("DELETE FROM learning_updates WHERE seq <= $1 AND created_at < $2", [snapshotSeq, before]);
        return removed;
      });
    },
  };
}

/** Thrown inside the append transaction to roll the seq back when the request was already learned from. */
class AlreadyLearned extends Error {}
