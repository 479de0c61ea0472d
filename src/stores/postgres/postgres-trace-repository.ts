import type pg from "pg";
import type { TraceRepository } from "../store.js";
import type { TraceFilter, TraceRecord } from "../trace-record.js";
import { selectColumns, traceOfRow, type TraceRow } from "../trace-row.js";
import { inTransaction, isConnectionError } from "./postgres-connection.js";
import type { TraceSpool } from "./trace-spool.js";


// One statement for any number of rows: 23 array parameters unnested into rows. Parsed and planned once
// (a named prepared statement), whatever the batch size; a conflict is the same trace written twice (a
// spool replayed after an ambiguous commit): the first is kept.
const insertTraces = {
  name: "switchyard_insert_traces",
  text: `
    INSERT INTO traces (id, created_at, endpoint, key_id, requested_model, served_model, stream, status, error_code, latency_ms,
      upstream_ms, fallbacks, input_tokens, output_tokens, cost_usd, decision, attempts, prompt, response, prompt_hash, rewards, client_request_id, stages)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::boolean[], $8::integer[], $9::text[],
      $10::float8[], $11::float8[], $12::integer[], $13::integer[], $14::integer[], $15::float8[], $16::text[], $17::text[], $18::text[],
      $19::text[], $20::text[], $21::text[], $22::text[], $23::text[])
    ON CONFLICT (id) DO NOTHING`,
};

/** One element of a PostgreSQL array literal (text form). */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "t" : "f";
  if (typeof value === "number") return String(value);
  // PostgreSQL text cannot hold NUL; SQLite can, so a prompt with one must not sink the whole batch.
  const text = String(value).includes("\u0000") ? String(value).replaceAll("\u0000", "\uFFFD") : String(value);
  return `"${text.replace(/[\\"]/g, "\\$&")}"`;
}

/**
 * The 23 column arrays of a batch as array literals, in `insertTraces`' order. Built here rather than by
 * `pg` (which escapes every element again on each query) and with a turn of the event loop every 256
 * traces, so a batch of thousands never holds requests up for more than about a millisecond.
 */
async function columnsOf(traces: readonly TraceRecord[]): Promise<string[]> {
  const columns: string[][] = Array.from({ length: 23 }, () => []);
  for (let row = 0; row < traces.length; row++) {
    if (row > 0 && row % 256 === 0) await new Promise((done) => setImmediate(done));
    const trace = traces[row] as TraceRecord;
    const values = [
      trace.id, trace.createdAt, trace.endpoint, trace.keyId, trace.requestedModel, trace.servedModel, trace.stream, trace.status, trace.errorCode,
      trace.latencyMs, trace.upstreamMs, trace.fallbacks, trace.inputTokens, trace.outputTokens, trace.costUsd,
      trace.decision === null ? null : JSON.stringify(trace.decision), JSON.stringify(trace.attempts), trace.prompt ?? null, trace.response ?? null,
      trace.promptHash ?? null, trace.rewards === undefined ? null : JSON.stringify(trace.rewards), trace.clientRequestId ?? null,
      trace.stages === undefined ? null : JSON.stringify(trace.stages),
    ];
    for (let column = 0; column < 23; column++) (columns[column] as string[]).push(arrayElement(values[column]));
  }
  return columns.map((elements) => `{${elements.join(",")}}`);
}

/** Options for {@link createPostgresTraceRepository}. */
export interface PostgresTraceRepositoryOptions {
  pool: pg.Pool;
  /** Where batches go while PostgreSQL is unreachable. */
  spool: TraceSpool;
  /** True while the store knows PostgreSQL to be down: batches go straight to the spool. */
  isDown: () => boolean;
  /** Reports a connection failure (starts an outage: logged once, probed until it ends). */
  onConnectionError: (error: unknown) => void;
  /** Reports traces dropped because the spool was full. */
  onDropped: (count: number) => void;
}

/** The trace repository of a PostgreSQL store, with the spool that outlives outages. */
export interface PostgresTraceRepository extends TraceRepository {
  /**
   * Up to 2000 traces per statement: each statement costs a commit (a WAL flush), which at 128 per
   * statement would cap a busy disk at a few thousand traces a second.
   */
  readonly writeBatch: number;
  /** Writes a batch to PostgreSQL, no spool (throws what PostgreSQL threw). */
  write(traces: readonly TraceRecord[]): Promise<void>;
}

/**
 * Traces in PostgreSQL. `insertMany` writes the batch with one statement (`INSERT … SELECT FROM
 * unnest(…)`) and, when PostgreSQL is unreachable or drops the connection, appends it to the on-disk
 * spool instead and resolves: a trace is durable once `insertMany` resolves — in PostgreSQL, or in the
 * spool, from which the store writes it when PostgreSQL is back.
 */
export function createPostgresTraceRepository(options: PostgresTraceRepositoryOptions): PostgresTraceRepository {
  const { pool, spool } = options;
  const writeBatch = async (traces: readonly TraceRecord[]): Promise<void> => {
    await pool.query({ ...insertTraces, values: await columnsOf(traces) });
  };
  const toSpool = (traces: readonly TraceRecord[]): void => {
    const dropped = spool.append(traces);
    if (dropped > 0) options.onDropped(dropped);
  };
  return {
    writeBatch: 2000,
    write: writeBatch,
    async insertMany(traces) {
      if (traces.length === 0) return;
      if (options.isDown()) {
        toSpool(traces);
        return;
      }
      try {
        await writeBatch(traces);
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        options.onConnectionError(error);
        toSpool(traces);
      }
    },
    async get(id) {
      const row = (await pool.query<TraceRow>(`SELECT ${selectColumns} WHERE t.id = $1`, [id])).rows[0];
      return row === undefined ? undefined : traceOfRow(row);
    },
    async findByClientRequestId(keyId, clientRequestId) {
      const row = (await pool.query<TraceRow>(`SELECT ${selectColumns} WHERE t.key_id IS NOT DISTINCT FROM $1 AND t.client_request_id = $2 ORDER BY t.created_at DESC, t.id DESC LIMIT 1`, [keyId, clientRequestId])).rows[0];
      return row === undefined ? undefined : traceOfRow(row);
    },
    async list(filter: TraceFilter = {}) {
      const where: string[] = [];
      const params: Array<string | number> = [];
      const param = (value: string | number): string => `$${params.push(value)}`;
      if (filter.since !== undefined) where.push(`t.created_at >= ${param(filter.since)}`);
      if (filter.until !== undefined) where.push(`t.created_at < ${param(filter.until)}`);
      if (filter.keyId !== undefined) where.push(`t.key_id = ${param(filter.keyId)}`);
      if (filter.model !== undefined) {
        const model = param(filter.model);
        where.push(`(t.requested_model = ${model} OR t.served_model = ${model})`);
      }
      if (filter.status !== undefined) where.push(`t.status = ${param(filter.status)}`);
      if (filter.outcome === "error") where.push("t.status >= 400");
      if (filter.outcome === "ok") where.push("t.status < 400");
      const limit = param(filter.limit ?? 100);
      const sql = `SELECT ${selectColumns} ${where.length > 0 ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY t.created_at DESC, t.id DESC LIMIT ${limit}`;
      return (await pool.query<TraceRow>(sql, params)).rows.map(traceOfRow);
    },
    async setFeedback(id, feedback) {
      const result = await pool.query(
        `INSERT INTO feedback (request_id, score, label, created_at) SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM traces WHERE id = $1)
         ON CONFLICT (request_id) DO UPDATE SET score = excluded.score, label = excluded.label, created_at = excluded.created_at`,
        [id, feedback.score, feedback.label, feedback.createdAt],
      );
      return (result.rowCount ?? 0) > 0;
    },
    async addReward(id, reward) {
      const result = await pool.query("UPDATE traces SET rewards = (COALESCE(rewards, '[]')::jsonb || jsonb_build_array($1::jsonb))::text WHERE id = $2", [
        JSON.stringify({ source: reward.source, score: reward.score, createdAt: reward.createdAt }),
        id,
      ]);
      return (result.rowCount ?? 0) > 0;
    },
    async prune(before) {
      return inTransaction(pool, async (client) => {
        await client.query("DELETE FROM feedback WHERE request_id IN (SELECT id FROM traces WHERE created_at < $1)", [before]);
        return (await client.query("DELETE FROM traces WHERE created_at < $1", [before])).rowCount ?? 0;
      });
    },
  };
}
