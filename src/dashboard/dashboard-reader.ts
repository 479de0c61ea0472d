import { Worker } from "node:worker_threads";
import { SwitchyardError, errorCodes, type ErrorCode } from "../core/errors.js";
import { periodStartOf } from "../limits/budget-period.js";
import type { UsageTotals } from "../stores/store.js";
import type { DashboardSources } from "./dashboard-data.js";
import { ledgerTotalKey, runDashboardRead, type DashboardLiveState, type DashboardRead } from "./dashboard-read.js";
import type { DashboardReadAnswer, DashboardReadQuestion } from "./dashboard-read-worker.js";

/** Where the admin API's aggregate reads run. */
export interface DashboardReader {
  /** `worker` while the reader thread serves the reads, `serving thread` otherwise. */
  readonly runsOn: "worker" | "serving thread";
  /** The JSON text of one read's answer. */
  read(read: DashboardRead): Promise<string>;
  /** Stops the reader thread (reads after it run on the serving thread). */
  close(): Promise<void>;
}

/** Options of {@link createDashboardReader}. */
export interface DashboardReaderOptions {
  sources: DashboardSources;
  /** The SQLite store's file: reads then run on a worker thread with its own read-only connection to it. Unset: on the serving thread. */
  sqlitePath?: string;
  /** Told once when the reader thread cannot serve (the reads continue on the serving thread). */
  onWorkerFailure?: (message: string) => void;
  /** The reader thread stops after this long without reads (default 60 s; the next read starts it again). */
  idleMs?: number;
}

/** What the reader thread has not answered yet, rerun on the serving thread if that thread stops. */
interface PendingRead {
  read: DashboardRead;
  resolve: (text: string) => void;
  reject: (error: unknown) => void;
}

/**
 * The admin API's aggregate reads (overview, models, keys, learning, the decisions list). With a SQLite
 * store they run on a worker thread started at the first read, with its own read-only connection to the
 * store's file and a lowered thread priority, so the serving event loop pays only for posting the read
 * (with the live state only it holds: clock, breaker phases, rate-limit counters, keys and their ledger
 * totals) and for receiving the answer's JSON text — not for the 10–20 ms of SQLite work and JSON
 * building of an overview over a day of per-minute rollups. The answer is the same bytes either way
 * (`runDashboardRead` on the same sources). Memory and PostgreSQL stores read on the serving thread
 * (PostgreSQL's reads are asynchronous already); so do all reads after the worker failed.
 */
export function createDashboardReader(options: DashboardReaderOptions): DashboardReader {
  const { sources } = options;
  const inThread = async (read: DashboardRead) => JSON.stringify(await runDashboardRead(sources, read));
  if (options.sqlitePath === undefined) return { runsOn: "serving thread", read: inThread, close: async () => {} };
  const path = options.sqlitePath;

  const idleMs = options.idleMs ?? 60_000;
  let worker: Worker | undefined;
  let failed = false;
  let nextId = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  /** Workers stopped on purpose (idle, close): their exit is not a failure. */
  const retired = new WeakSet<Worker>();
  const pending = new Map<number, PendingRead>();
  const answerWaitingInThread = () => {
    const left = [...pending.values()];
    pending.clear();
    for (const entry of left) inThread(entry.read).then(entry.resolve, entry.reject);
  };
  const fallBack = (message: string) => {
    if (failed) return;
    failed = true;
    options.onWorkerFailure?.(message);
    answerWaitingInThread();
  };
  // No tab open (no reads for idleMs): the thread and its connection go; the next read starts them again.
  const stopWhenIdle = () => {
    if (pending.size > 0 || worker === undefined) return;
    const idle = worker;
    worker = undefined;
    retired.add(idle);
    void idle.terminate();
  };
  const start = (): Worker => {
    // From the sources (TypeScript under tsx) the bootstrap registers tsx's loader in the worker; the
    // compiled package (dist/, plain Node) starts the compiled worker directly.
    const compiled = import.meta.url.endsWith(".js");
    const started = new Worker(new URL(compiled ? "./dashboard-read-worker.js" : "./dashboard-read-worker-bootstrap.mjs", import.meta.url), { execArgv: [], workerData: { path } });
    started.on("error", (error) => fallBack(`dashboard reader failed: ${error.message}`));
    started.on("exit", () => {
      if (!retired.has(started)) fallBack("dashboard reader stopped");
    });
    started.on("message", (message: DashboardReadAnswer | { ready: boolean; error?: string }) => {
      if ("ready" in message) {
        if (!message.ready) {
          fallBack(`dashboard reader cannot open ${path}: ${message.error ?? "unknown error"}`);
          void started.terminate();
        }
        return;
      }
      const entry = pending.get(message.id);
      if (entry === undefined) return;
      pending.delete(message.id);
      // An idle reader must not keep the process alive; one with reads pending must (a waiting read holds nothing else open).
      if (pending.size === 0) {
        started.unref();
        clearTimeout(idleTimer);
        idleTimer = setTimeout(stopWhenIdle, idleMs).unref();
      }
      if ("text" in message) entry.resolve(message.text);
      else {
        const code: ErrorCode = message.error.code !== undefined && message.error.code in errorCodes ? (message.error.code as ErrorCode) : "internal_error";
        entry.reject(new SwitchyardError(code, message.error.message, message.error.param === undefined ? {} : { param: message.error.param }));
      }
    });
    return started;
  };

  return {
    get runsOn() {
      return failed ? "serving thread" : "worker";
    },
    async read(read) {
      if (failed) return inThread(read);
      const live = await liveStateOf(sources, read);
      if (failed) return inThread(read);
      worker ??= start();
      const id = nextId++;
      const answer = new Promise<string>((resolve, reject) => pending.set(id, { read, resolve, reject }));
      worker.ref();
      worker.postMessage({ id, read, live } satisfies DashboardReadQuestion);
      return answer;
    },
    async close() {
      const stopping = worker;
      failed = true;
      worker = undefined;
      clearTimeout(idleTimer);
      answerWaitingInThread();
      if (stopping !== undefined) {
        retired.add(stopping);
        await stopping.terminate();
      }
    },
  };
}

/** The serving thread's part of a read: what the reader thread cannot know from the file. */
async function liveStateOf(sources: DashboardSources, read: DashboardRead): Promise<DashboardLiveState> {
  const now = sources.now();
  const breakerPhases: Record<string, string> = {};
  for (const target of sources.targets) breakerPhases[target] = sources.breakerPhase(target);
  const live: DashboardLiveState = {
    now,
    targets: sources.targets,
    defaultModel: sources.defaultModel,
    learnerActive: sources.learnerActive,
    breakerPhases,
    rateLimitHits: [...sources.rateLimitHits()],
  };
  if (read.endpoint === "keys") {
    const records = await sources.store.keys.list();
    const totals: Record<string, UsageTotals> = {};
    for (const key of records) {
      const periodStart = periodStartOf(key.budgetPeriod, now);
      totals[ledgerTotalKey(key.id, periodStart)] = await sources.store.usage.totals(key.id, periodStart);
    }
    live.keys = { records, totals };
  }
  return live;
}
