import { Worker } from "node:worker_threads";
import { SwitchyardError, errorCodes, type ErrorCode } from "../core/errors.js";
import type { Query } from "../core/query.js";
import type { DecideConstraints } from "../core/routing-engine.js";
import type { Target } from "../core/target.js";
import { ShadowDecision } from "./shadow-decision.js";

/** A shadow artifact deciding on its own worker thread. */
export interface ShadowArm {
  readonly path: string;
  readonly version: string;
  readonly router: string;
  /** Sends the query to the shadow and returns the record its decision will fill in (never waits). */
  decide(query: Query, constraints: DecideConstraints | undefined): ShadowDecision;
  /** Messages exchanged with the worker so far (the queries of one event-loop turn in one message; one message of answers per message of queries). */
  readonly messages: { sent: number; received: number };
  /** Stops the worker; decisions still pending are marked failed. */
  close(): Promise<void>;
}

/** Options of {@link startShadowArm}. */
export interface StartShadowArmOptions {
  path: string;
  targets: readonly Target[];
  defaultQuality?: number;
  /** Decisions waiting for the worker beyond which new ones are skipped (marked failed), default 1024. */
  maxPending?: number;
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
 * decision runs there too, so the gateway's event loop only pays for posting the query (a structured
 * clone of the messages) and reading the answer — the served response is never held up by the shadow's
 * embedding and search. Both directions are batched per event-loop turn (the queries of every request
 * routed in one turn go in one message, and the worker answers each such message with one message as
 * soon as its queries are decided): each message costs the receiving thread a wake-up, which on a busy machine is most of the
 * serving thread's share of a shadow decision. When the worker falls `maxPending` decisions behind, further requests get a
 * `failed` shadow record ("shadow backlog full") instead of an unbounded queue.
 * Rejects with `invalid_artifact` (or the engine's error) when the artifact cannot be served.
 */
export function startShadowArm(options: StartShadowArmOptions): Promise<ShadowArm> {
  const maxPending = options.maxPending ?? 1024;
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
  const messages = { sent: 0, received: 0 };
  const flush = () => {
    const questions = outbox;
    outbox = [];
    if (closed || questions.length === 0) return;
    messages.sent++;
    worker.postMessage({ questions });
  };
  const failAll = (reason: string) => {
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
            if (closed) record.fail(new Error("shadow stopped"));
            else if (pending.size >= maxPending) record.fail(new Error("shadow backlog full"));
            else {
              const id = nextId++;
              pending.set(id, record);
              if (outbox.length === 0) setImmediate(flush);
              outbox.push({ id, query: { messages: query.messages, options: query.options }, constraints });
            }
            return record;
          },
          async close() {
            closed = true;
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
        if ("error" in answer) record.fail(new Error(answer.error));
        else record.record(answer.model, answer.predictedQuality, answer.predictedCostUsd, answer.decisionMs);
      }
    });
  });
}
