import cluster, { type Worker } from "node:cluster";
import { SwitchyardError } from "../core/errors.js";
import { serveClusterMetrics } from "./cluster-metrics.js";
import type { GatewayConfig } from "./config.js";

/** Message a worker sends the primary once it listens: what `serve` prints about it. */
export interface WorkerListening {
  type: "switchyard:listening";
  url: string;
  lines: string[];
}

/** Options of {@link runClusterPrimary}. */
export interface ClusterPrimaryOptions {
  workers: number;
  config: GatewayConfig;
  /** `--config`, for messages. */
  configPath: string;
  /** Where the primary prints (the `serve` lines, once). */
  write: (text: string) => void;
  /** Where it reports worker exits and restarts. */
  writeError: (text: string) => void;
}

/** Respawns allowed within a minute before the primary gives up (a worker that cannot start would loop). */
const maxRestartsPerMinute = 10;

/**
 * Refuses `--workers N > 1` without shared coordination: each worker would enforce every key's full
 * rate limit by itself (N × the limit), and a restarted worker would clear the budget reservations the
 * others hold in the store. A production user expects limits to mean what they say, so this is an error,
 * not a warning.
 */
export function assertWorkersCoordinated(config: GatewayConfig, workers: number, configPath: string): void {
  if (workers > 1 && config.coordination === undefined) {
    throw new SwitchyardError(
      "invalid_config",
      `${configPath}: --workers ${workers} needs shared coordination (coordination: redis://…): without it each worker would enforce every key's full rate limit by itself and a restarted worker would release the budget reservations of the others; run one worker, or add a Redis (docs/deploy.md)`,
      { param: "coordination" },
    );
  }
}

/**
 * The primary of `switchyard serve --workers N` (node:cluster): forks N workers that each run the whole
 * gateway on the same port (the primary hands connections out round-robin), prints the `serve` lines
 * once all listen, restarts a worker that dies (at most ten times a minute), forwards SIGHUP (reload) to
 * every worker, and on SIGINT/SIGTERM lets every worker drain and exits when all have. `/metrics` on any
 * worker answers for all of them (see `serveClusterMetrics`).
 */
export function runClusterPrimary(options: ClusterPrimaryOptions): Promise<number> {
  const { workers, write, writeError } = options;
  serveClusterMetrics();
  let stopping = false;
  const restarts: number[] = [];
  const listening = new Map<number, WorkerListening>();
  let announced = false;
  let exitCode = 0;
  return new Promise((resolve) => {
    const fork = (index: number): Worker => {
      const worker = cluster.fork({ SWITCHYARD_WORKER_INDEX: String(index) });
      worker.on("message", (message: WorkerListening) => {
        if (message?.type !== "switchyard:listening") return;
        listening.set(index, message);
        if (!announced && listening.size === workers) {
          announced = true;
          const first = listening.get(0) ?? message;
          const [head = `switchyard gateway listening on ${first.url}`, ...rest] = first.lines;
          write(`${head} with ${workers} workers (pids ${Object.values(cluster.workers ?? {}).map((entry) => entry?.process.pid).join(", ")})\n`);
          for (const line of rest) write(`${line}\n`);
        }
      });
      worker.on("exit", (code, signal) => {
        listening.delete(index);
        if (stopping) {
          if (Object.keys(cluster.workers ?? {}).length === 0) resolve(exitCode);
          return;
        }
        const at = Date.now();
        restarts.push(at);
        while (restarts.length > 0 && (restarts[0] ?? at) < at - 60_000) restarts.shift();
        if (!announced || restarts.length > maxRestartsPerMinute) {
          writeError(`worker ${index} (pid ${worker.process.pid}) exited (${signal ?? code}) ${announced ? `${restarts.length} times within a minute` : "before listening"}; stopping\n`);
          exitCode = 1;
          stop("SIGTERM");
          return;
        }
        writeError(`worker ${index} (pid ${worker.process.pid}) exited (${signal ?? code}); starting a new one\n`);
        fork(index);
      });
      return worker;
    };
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
      if (alive.length === 0) resolve(exitCode);
      for (const worker of alive) worker.process.kill(signal);
    };
    for (let index = 0; index < workers; index++) fork(index);
    process.once("SIGINT", () => stop("SIGINT"));
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGHUP", () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGHUP");
    });
  });
}
