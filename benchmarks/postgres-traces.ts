/**
 * PostgreSQL trace writes (issue 17): how many traces per second one gateway process writes to a
 * PostgreSQL store, and whether a PostgreSQL restart under load loses any.
 *
 *   npx tsx benchmarks/postgres-traces.ts [--seconds 10] [--rates 5000,10000,20000] [--restart-rate 5000]
 *
 * A private PostgreSQL (test/helpers/postgres-server.ts: initdb + pg_ctl on a loopback port, **fsync on**,
 * default settings otherwise) and, in this process, the gateway's own write path: `createTraceWriter`
 * batching as the gateway sets it for this store (flush every 500 ms or at 2000 queued, one statement each) over
 * `openPostgresStore` (`INSERT … SELECT FROM unnest(…)`, one statement per slice). Traces are shaped like
 * a routed request's (3 scored candidates, 2 attempts, a prompt hash; ~700 bytes of JSON).
 *
 * 1. Sustained: traces offered at a fixed rate (open loop, topped up every 10 ms) for `--seconds`; then
 *    flushed. Reported: rows in the table, committed traces per second over offering + final flush, the
 *    time the final flush took, the largest backlog (offered − committed; the writer flushes every
 *    500 ms, so ~0.5 s of traffic is the floor), and CPU per trace of this process and of the PostgreSQL
 *    server processes (from /proc: the load-robust figure on a shared machine).
 * 2. Ceiling: batches of 2000 written back to back (2 in flight) for `--seconds`.
 * 3. Restart: `--restart-rate` traces/s for `--seconds`; PostgreSQL is stopped the way a crash stops it
 *    (`pg_ctl stop -m immediate`) at 30 % of the run and started again at 50 %. Every offered trace
 *    must be in the table once the spool has drained.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createTraceWriter } from "../src/observability/trace-writer.js";
import { openPostgresStore, type PostgresStore } from "../src/stores/postgres/postgres-store.js";
import type { TraceRecord } from "../src/stores/trace-record.js";
import { startPostgresServer, type PostgresServer } from "../test/helpers/postgres-server.js";

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] as string) : fallback;
};
const seconds = Number(argument("seconds", "10"));
const rates = argument("rates", "5000,10000,20000").split(",").map(Number);
const restartRate = Number(argument("restart-rate", "5000"));

let sequence = 0;
function trace(): TraceRecord {
  const n = sequence++;
  return {
    id: `bench-${process.pid}-${n}`,
    createdAt: Date.now(),
    endpoint: "/v1/chat/completions",
    keyId: `key_${n % 16}`,
    requestedModel: "auto",
    servedModel: "gpt-4o-mini",
    stream: n % 2 === 0,
    status: 200,
    errorCode: null,
    latencyMs: 812.4 + (n % 100),
    upstreamMs: 790.1,
    decision: {
      router: "knn",
      model: "gpt-4o-mini",
      propensity: 1,
      quality: 0.5,
      artifact: "0123456789abcdef",
      willingnessToPay: 0.0123,
      candidates: [
        { model: "gpt-4o-mini", predictedQuality: 0.81, predictedCostUsd: 0.00012, objective: 0.0098 },
        { model: "claude-3-haiku", predictedQuality: 0.78, predictedCostUsd: 0.00015, objective: 0.0094 },
        { model: "gpt-4o", predictedQuality: 0.9, predictedCostUsd: 0.0021, objective: 0.0089 },
      ],
      decisionMs: 0.42,
    },
    attempts: [
      { target: "claude-3-haiku", attempt: 1, outcome: "http_500", status: 500, durationMs: 31 },
      { target: "gpt-4o-mini", attempt: 1, outcome: "ok", status: 200, durationMs: 759 },
    ],
    fallbacks: 1,
    inputTokens: 412,
    outputTokens: 96,
    costUsd: 0.0001194,
    promptHash: "ab".repeat(32),
  };
}

/** The trace writer's batching as the gateway sets it for this store (src/gateway/gateway-services.ts). */
const gatewayBatching = (store: PostgresStore) => (store.traces.writeBatch === undefined ? {} : { maxBatch: store.traces.writeBatch, maxSlice: store.traces.writeBatch });

/** CPU seconds (user + system) of the PostgreSQL server: the postmaster and its children. */
function serverCpuSeconds(dataDir: string): number {
  const postmaster = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
  const ticks = 100;
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
      const pid = Number(entry);
      const parent = Number(fields[1]);
      if (pid !== postmaster && parent !== postmaster) continue;
      total += (Number(fields[11]) + Number(fields[12])) / ticks;
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

async function countRows(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url });
  try {
    return Number((await pool.query<{ n: string }>("SELECT COUNT(*) AS n FROM traces")).rows[0]?.n);
  } finally {
    await pool.end();
  }
}

/** Offers `rate` traces/s to `add` for `durationMs`, calling `at(elapsedMs)` on every tick. */
async function offer(rate: number, durationMs: number, add: (trace: TraceRecord) => void, at: (elapsedMs: number) => void = () => undefined): Promise<number> {
  const started = performance.now();
  let offered = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= durationMs) break;
    const due = Math.floor((rate * elapsed) / 1000);
    while (offered < due) {
      add(trace());
      offered++;
    }
    at(elapsed);
    await new Promise((done) => setTimeout(done, 10));
  }
  return offered;
}

const server: PostgresServer = await startPostgresServer({ fsync: true });
const spoolRoot = mkdtempSync(join(tmpdir(), "switchyard-bench-spool-"));
let databases = 0;
const open = async (): Promise<{ store: PostgresStore; url: string }> => {
  const url = await server.createDatabase(`bench${databases++}`);
  const store = await openPostgresStore({ url, spoolDir: join(spoolRoot, String(databases)), probeIntervalMs: 200, connectTimeoutMs: 1000, log: (level, message) => process.stderr.write(`${level}: ${message}\n`) });
  return { store, url };
};

try {
  const rows: string[] = [];
  for (const rate of rates) {
    const { store, url } = await open();
    // Counts what reached PostgreSQL, so the backlog (offered − committed) shows whether writes keep up.
    let committed = 0;
    const repository = {
      ...store.traces,
      insertMany: async (batch: readonly TraceRecord[], journalBytes?: number) => {
        await store.traces.insertMany(batch, journalBytes);
        committed += batch.length;
      },
    };
    const writer = createTraceWriter({ repository, ...gatewayBatching(store), onError: (error) => process.stderr.write(`write failed: ${String(error)}\n`) });
    let added = 0;
    let maxBacklog = 0;
    const cpuBefore = process.cpuUsage();
    const serverBefore = serverCpuSeconds(server.dataDir);
    const started = performance.now();
    const offered = await offer(rate, seconds * 1000, (record) => {
      writer.add(record);
      added++;
    }, () => {
      maxBacklog = Math.max(maxBacklog, added - committed);
    });
    const offeredAt = performance.now();
    await writer.flush();
    const done = performance.now();
    const cpu = process.cpuUsage(cpuBefore);
    const serverCpu = serverCpuSeconds(server.dataDir) - serverBefore;
    const stored = await countRows(url);
    rows.push(
      `| ${rate} | ${offered} | ${stored} | ${Math.round(stored / ((done - started) / 1000))} | ${Math.round(done - offeredAt)} | ${maxBacklog} | ${((cpu.user + cpu.system) / stored).toFixed(1)} | ${((serverCpu * 1e6) / stored).toFixed(1)} |`,
    );
    await store.close();
  }
  console.log(`\nSustained trace writes (${seconds} s each, fsync on):\n`);
  console.log("| offered traces/s | offered | rows stored | committed traces/s | flush after the last (ms) | largest backlog (offered − committed) | gateway CPU µs/trace | PostgreSQL CPU µs/trace |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);

  {
    const { store, url } = await open();
    const started = performance.now();
    let written = 0;
    const loop = async () => {
      while (performance.now() - started < seconds * 1000) {
        const batch = Array.from({ length: 2000 }, trace);
        await store.traces.insertMany(batch);
        written += batch.length;
      }
    };
    await Promise.all([loop(), loop()]);
    const elapsed = (performance.now() - started) / 1000;
    const stored = await countRows(url);
    console.log(`\nCeiling: batches of 2000 back to back, 2 in flight: ${Math.round(written / elapsed)} traces/s (${stored} rows stored of ${written} written)`);
    await store.close();
  }

  {
    const { store, url } = await open();
    const writer = createTraceWriter({ repository: store.traces, ...gatewayBatching(store), onError: (error) => process.stderr.write(`write failed: ${String(error)}\n`) });
    const durationMs = seconds * 1000;
    let phase: "up" | "killing" | "down" | "starting" | "back" = "up";
    let downMs = 0;
    let restart: Promise<void> = Promise.resolve();
    const started = performance.now();
    const offered = await offer(restartRate, durationMs, (record) => writer.add(record), (elapsed) => {
      if (phase === "up" && elapsed >= durationMs * 0.3) {
        phase = "killing";
        restart = (async () => {
          await server.kill();
          const stoppedAt = performance.now();
          phase = "down";
          while (performance.now() - started < durationMs * 0.5) await new Promise((wake) => setTimeout(wake, 10));
          phase = "starting";
          await server.start();
          downMs = performance.now() - stoppedAt;
          phase = "back";
        })();
      }
    });
    await restart;
    await writer.flush();
    const drainStart = performance.now();
    while ((store.isDown() || store.spoolStats().traces > 0) && performance.now() - drainStart < 60_000) await new Promise((wake) => setTimeout(wake, 50));
    const drainMs = performance.now() - drainStart;
    const stored = await countRows(url);
    const stats = store.spoolStats();
    console.log(`\nRestart mid-load (${restartRate} traces/s for ${seconds} s; PostgreSQL down ${Math.round(downMs)} ms from 30 % of the run):\n`);
    console.log("| offered | rows stored | lost | through the spool | dropped (spool full) | spool drained after flush (ms) |");
    console.log("|---|---|---|---|---|---|");
    console.log(`| ${offered} | ${stored} | ${offered - stored} | ${stats.spooledTotal} | ${stats.droppedTotal} | ${Math.round(drainMs)} |`);
    await store.close();
  }
} finally {
  await server.stop();
  rmSync(spoolRoot, { recursive: true, force: true });
}
