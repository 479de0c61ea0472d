/**
 * Worker-thread entry of the dashboard's reader (see `dashboard-reader.ts`): opens its own read-only
 * connection to the SQLite store's file (WAL lets it read while the serving thread writes) and answers
 * each admin API read it is sent with the answer's JSON text. Only started by `createDashboardReader`.
 */
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { requireOptional } from "../core/optional-dependency.js";
import { createSqliteLearningRepository } from "../stores/sqlite/sqlite-learning-repository.js";
import { createSqliteTraceRepository } from "../stores/sqlite/sqlite-trace-repository.js";
import { createSqliteTraceRollups } from "../stores/sqlite/sqlite-trace-rollups.js";
import type { ApiKeyRecord } from "../stores/api-key-record.js";
import type { DashboardStore } from "./dashboard-data.js";
import { runDashboardRead, sourcesOfLiveState, type DashboardLiveState, type DashboardRead } from "./dashboard-read.js";

/** One read sent to the worker. */
export interface DashboardReadQuestion {
  id: number;
  read: DashboardRead;
  live: DashboardLiveState;
}

/** The worker's answer to one read: the JSON text, or the error to raise on the serving thread. */
export type DashboardReadAnswer = { id: number; text: string } | { id: number; error: { message: string; code?: string; param?: string | null } };

const port = parentPort;
if (port !== null) {
  // The serving thread's requests come first: on Linux a nice value is per thread, so this lowers only
  // this worker, and a busy machine runs the gateway's event loop before a dashboard's aggregate.
  try {
    setPriority(19);
  } catch {
    // Not permitted or not supported here: the reader runs at normal priority.
  }
  const { path } = workerData as { path: string };
  try {
    const Database = requireOptional<typeof BetterSqlite3>("better-sqlite3", "The sqlite store's dashboard reader", "");
    const db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma("busy_timeout = 5000");
    const rollups = createSqliteTraceRollups(db);
    const traces = createSqliteTraceRepository(db);
    const learning = createSqliteLearningRepository(db);
    const store: DashboardStore = {
      kind: "sqlite",
      rollups,
      traces,
      learning,
      // The keys page's keys and ledger totals come from the serving thread (DashboardLiveState.keys).
      keys: { list: async (): Promise<ApiKeyRecord[]> => [] },
      usage: { totals: async () => ({ spentUsd: 0, reservedUsd: 0, requests: 0, inputTokens: 0, outputTokens: 0 }) },
    };
    port.on("message", (question: DashboardReadQuestion) => {
      runDashboardRead(sourcesOfLiveState(store, question.live), question.read).then(
        (value) => port.postMessage({ id: question.id, text: JSON.stringify(value) } satisfies DashboardReadAnswer),
        (error: unknown) => {
          const { message, code, param } = error as { message?: string; code?: string; param?: string | null };
          port.postMessage({ id: question.id, error: { message: message ?? String(error), ...(code === undefined ? {} : { code }), ...(param === undefined ? {} : { param }) } } satisfies DashboardReadAnswer);
        },
      );
    });
    port.postMessage({ ready: true });
  } catch (error) {
    port.postMessage({ ready: false, error: error instanceof Error ? error.message : String(error) });
  }
}
