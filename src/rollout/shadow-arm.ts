import { Worker } from "node:worker_threads";
import { SwitchyardError, errorCodes, type ErrorCode } from "../core/errors.js";
import type { Query } from "../core/query.js";
import type { DecideConstraints } from "../core/routing-engine.js";
import type { Target } from "../core/target.js";
import { ShadowDecision } from "./shadow-decision.js";

/** Counts of a shadow arm's decisions since it started (also in `GET /admin/rollout`). */
export interface ShadowCounts {
  /** Decided by the shadow artifact. */
  decided: number;
  /** Not decided because the worker was `maxPending` decisions behind (a saturated machine: the shadow log samples). */
  skipped: number;
  /** The shadow artifact could not decide (e.g. none of its models allowed), or the worker stopped. */
  failed: number;
  /** Sent or queued, not answered yet. */
  pending: number;
}

/** A shadow artifact deciding on its own worker thread. */
export interface ShadowArm {
  readonly path: string;
  readonly version: string;
  readonly router: string;
  /** Queues the query for the shadow and returns the record its decision will fill in (never waits). */
  decide(query: Query, constraints: DecideConstraints | undefined): ShadowDecision;
  /** Messages exchanged with the worker so far (one per batch of queries each way). */
  readonly messages: { sent: number; received: number };
  /** What the shadow has done so far. */
  counts(): ShadowCounts;
  /** Stops the worker; decisions still pending are marked failed. */
  close(): Promise<void>;
}

/** Options of {@link startShadowArm}. */
export interface StartShadowArmOptions {
  path: string;
  targets: readonly Target[];
  defaultQuality?: number;
  /** Decisions waiting for the worker beyond which new ones are skipped (status `skipped`), default 1024. */
  maxPending?: number;
  /**
   * How long queries collect on the serving thread before they go to the worker in one message
   * (default 20 ms); `maxBatch` queries go at once. 0 sends the queries of each event-loop turn.
   */
  batchMs?: number;
  /** Queries that are sent without waiting for `batchMs` (default 256). */
  maxBatch?: number;
}

/** One shadow decision's answer from the worker. */
export type ShadowAnswer = { id: number; model: string; predictedQuality?: number; predictedCostUsd?: number; decisionMs: number } | { id: number; error: string };

/** One query for the worker. */
export interface ShadowQuestion {
  id: number;
  query: Pick<Query, "messages" | "options">;
  constraints: DecideConstraints | undefined;
}

type WorkerMessage = { ready: true; version: string; router: string } | { ready: false; error: string; code?: string } | { answers: ShadowAnswer[] };

/**
 * Starts a shadow arm: the artifact is loaded and its engine built on a worker thread, and every shadow
 * decision runs there too, so the gateway's event loop only queues the query and later reads the answer —
 * the served response never waits for the shadow's embedding and search.
 *
 * The shadow yields to serving in three ways:
 * - **time-batched**: queries collect for `batchMs` (20 ms) and go to the worker in one message, which it
 *   answers with one message once the batch is decided. The serving thread is woken for the shadow about
 *   50 times a second instead of once per request, and the worker decides in bursts (its index stays in
 *   cache across a batch) that overlap a fraction of the requests rather than every one of them;
 * - **lowest priority**: the worker runs at nice 19 and `SCHED_IDLE` (`lowerThreadPriority`), so the
 *   serving thread, the upstream calls and everything else get the CPU first;
 * - **bounded**: past `maxPending` undecided queries (a worker that cannot keep up: a saturated machine),
 *   requests get a `skipped` record and are counted, never queued without bound. The shadow log is then a
 *   sample of the traffic; `counts()` and the trace statuses say how large.
 * Rejects with `invalid_artifact` (or the engine's error) when the artifact cannot be served.
 */
export function startShadowArm(options: StartShadowArmOptions): Promise<ShadowArm> {
  const maxPending = options.maxPending ?? 1024;
  const batchMs = options.batchMs ?? 20;
  const maxBatch = Math.max(1, options.maxBatch ?? 256);
  // From the sources (TypeScript under tsx) the bootstrap registers tsx's loader in the worker; the
  // compiled package (dist/, plain Node) starts the compiled worker directly. The parent's own flags
  // (e.g. --test, --import tsx) are not passed on.
  const compiled = import.meta.url.endsWith(".js");
  const worker = new Worker(new URL(compiled ? "./shadow-worker.js" : "./shadow-worker-bootstrap.mjs", import.meta.url), {
    execArgv: [],
    workerData: { path: options.path, targets: options.targets.map((target) => ({ ...target })), defaultQuality: options.defaultQuality },
  });
  worker.unref();
  const pending = new Map<number, ShadowDecision>();
  let nextId = 0;
  let closed = false;
  let outbox: ShadowQuestion[] = [];
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const messages = { sent: 0, received: 0 };
  const counts = { decided: 0, skipped: 0, failed: 0 };
  const flush = () => {
    if (timer !== undefined) {
      if (batchMs > 0) clearTimeout(timer as NodeJS.Timeout);
      else clearImmediate(timer as NodeJS.Immediate);
      timer = undefined;
    }
    const questions = outbox;
    outbox = [];
    if (closed || questions.length === 0) return;
    messages.sent++;
    worker.postMessage({ questions });
  };
  const failAll = (reason: string) => {
    counts.failed += pending.size;
    for (const record of pending.values()) record.fail(new Error(reason));
    pending.clear();
  };
  return new Promise((resolve, reject) => {
    worker.on("error", (error) => {
      failAll(`shadow worker failed: ${error.message}`);
      reject(new SwitchyardError("invalid_artifact", `shadow artifact ${options.path}: ${error.message}`, { cause: error }));
    });
    worker.on("exit", () => {
      closed = true;
      failAll("shadow stopped");
    });
    worker.on("message", (message: WorkerMessage) => {
      if ("ready" in message) {
        if (!message.ready) {
          const code: ErrorCode = message.code !== undefined && message.code in errorCodes ? (message.code as ErrorCode) : "invalid_artifact";
          void worker.terminate();
          reject(new SwitchyardError(code, message.error));
          return;
        }
        const arm: ShadowArm = {
          path: options.path,
          version: message.version,
          router: message.router,
          messages,
          decide(query, constraints) {
            const record = new ShadowDecision(message.router, message.version);
            if (closed) {
              counts.failed++;
              record.fail(new Error("shadow stopped"));
            } else if (pending.size >= maxPending) {
              counts.skipped++;
              record.skip(`shadow backlog full (${maxPending} undecided)`);
            } else {
              const id = nextId++;
              pending.set(id, record);
              outbox.push({ id, query: { messages: query.messages, options: query.options }, constraints });
              if (outbox.length >= maxBatch) flush();
              else if (timer === undefined) {
                // Unref'd: a pending batch never keeps the process alive.
                if (batchMs > 0) timer = setTimeout(flush, batchMs).unref();
                else timer = setImmediate(flush).unref();
              }
            }
            return record;
          },
          counts() {
            return { ...counts, pending: pending.size };
          },
          async close() {
            closed = true;
            flush(); // only clears the batch timer: the queued decisions fail when the worker exits
            await worker.terminate();
          },
        };
        resolve(arm);
        return;
      }
      messages.received++;
      for (const answer of message.answers) {
        const record = pending.get(answer.id);
        if (record === undefined) continue;
        pending.delete(answer.id);
        if ("error" in answer) {
          counts.failed++;
          record.fail(new Error(answer.error));
        } else {
          counts.decided++;
          record.record(answer.model, answer.predictedQuality, answer.predictedCostUsd, answer.decisionMs);
        }
      }
    });
  });
}
