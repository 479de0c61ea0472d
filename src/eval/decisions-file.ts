import { createWriteStream, mkdirSync } from "node:fs";
import { once } from "node:events";
import { dirname } from "node:path";
import type { EvaluationInput } from "./evaluation-input.js";
import type { RouterSweep } from "./sweep.js";

/** One line of the decisions file: which model a router chose for one prompt at one operating point. */
export interface DecisionRow {
  router: string;
  /** Operating-point label, e.g. `wtp=0.001`, `knob=0.25`, `strong=40%`, `fixed`. */
  point: string;
  /** Prompt id. */
  id: string;
  model: string;
}

/** Streams decision rows to a JSONL file. Call `close()` once at the end (it flushes and resolves when written). */
export interface DecisionsWriter {
  write(row: DecisionRow): Promise<void>;
  close(): Promise<void>;
  /** Rows written so far. */
  readonly rows: number;
}

/** Characters buffered before a write to the stream. */
const chunkChars = 1 << 20;

/** What `write` returns when the row only went into the buffer (no per-row async function call). */
const written: Promise<void> = Promise.resolve();

/**
 * Opens a decisions file (parent folders created, an existing file replaced). Each row becomes exactly
 * `{"router":"knn","point":"wtp=0.001","id":"<prompt id>","model":"<model id>"}` on its own line, keys in
 * that order. Rows are buffered in ~1 MB chunks and the stream's back-pressure is honoured, so files of
 * millions of rows never sit in memory.
 *
 * @example
 * const writer = createDecisionsWriter("out/decisions.jsonl");
 * await writer.write({ router: "knn", point: "wtp=0.001", id: "p1", model: "gpt-4" });
 * await writer.close();
 */
export function createDecisionsWriter(path: string): DecisionsWriter {
  mkdirSync(dirname(path), { recursive: true });
  const stream = createWriteStream(path, { encoding: "utf8" });
  let failure: unknown;
  stream.on("error", (error) => {
    failure ??= error;
  });
  let buffer = "";
  let rows = 0;
  let closed = false;
  const flush = async (): Promise<void> => {
    if (buffer === "") return;
    const chunk = buffer;
    buffer = "";
    if (!stream.write(chunk)) await once(stream, "drain");
  };
  return {
    get rows() {
      return rows;
    },
    write(row) {
      if (failure !== undefined) return Promise.reject(failure);
      if (closed) return Promise.reject(new Error(`decisions file ${path}: write after close`));
      buffer += `${JSON.stringify({ router: row.router, point: row.point, id: row.id, model: row.model })}\n`;
      rows++;
      return buffer.length >= chunkChars ? flush() : written;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (failure === undefined) await flush();
      if (failure !== undefined) {
        stream.destroy();
        throw failure;
      }
      stream.end();
      await once(stream, "finish");
      if (failure !== undefined) throw failure;
    },
  };
}

/** Writes every row of `rows` to `path` (see {@link createDecisionsWriter}); resolves to the number of rows. */
export async function writeDecisions(path: string, rows: Iterable<DecisionRow> | AsyncIterable<DecisionRow>): Promise<number> {
  const writer = createDecisionsWriter(path);
  try {
    if (Symbol.iterator in rows) for (const row of rows) await writer.write(row);
    else for await (const row of rows) await writer.write(row);
  } catch (error) {
    await writer.close().catch(() => undefined);
    throw error;
  }
  await writer.close();
  return writer.rows;
}

/**
 * The decisions of every swept router, lazily: router by router (in `sweeps` order), point by point, prompt
 * by prompt (in `input.examples` order).
 */
export function* decisionRows(input: EvaluationInput, sweeps: readonly RouterSweep[]): Generator<DecisionRow> {
  for (const sweep of sweeps) {
    for (let p = 0; p < sweep.points.length; p++) {
      const point = sweep.points[p]?.label ?? "";
      const choices = sweep.choices[p] ?? new Int32Array(0);
      for (let i = 0; i < choices.length; i++) {
        yield { router: sweep.name, point, id: input.examples[i]?.id ?? "", model: input.models[choices[i] ?? 0] ?? "" };
      }
    }
  }
}
