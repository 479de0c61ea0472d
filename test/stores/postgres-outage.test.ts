import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import pg from "pg";
import { Registry } from "prom-client";
import { registerTraceSpoolMetrics } from "../../src/observability/trace-spool-metrics.js";
import { openPostgresStore, type PostgresStore } from "../../src/stores/postgres/postgres-store.js";
import { closeAll, productionConfig, scriptedUpstreams, startProductionGateway } from "../gateway-production/production-kit.js";
import { postgresSkipReason, startPostgresServer, type PostgresServer } from "../helpers/postgres-server.js";
import { traceRecord } from "./store-contract.js";

const skip = postgresSkipReason();
let server: PostgresServer | undefined;
const dir = mkdtempSync(join(tmpdir(), "switchyard-pg-outage-"));
let databases = 0;

before(async () => {
  if (skip === undefined) server = await startPostgresServer();
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((done) => setTimeout(done, 20));
  }
}

async function storedIds(url: string, ids: readonly string[]): Promise<Set<string>> {
  const pool = new pg.Pool({ connectionString: url });
  try {
    return new Set((await pool.query<{ id: string }>("SELECT id FROM traces WHERE id = ANY($1)", [ids])).rows.map((row) => row.id));
  } finally {
    await pool.end();
  }
}

async function open(spoolMaxBytes?: number): Promise<{ store: PostgresStore; url: string; lines: string[] }> {
  const url = await (server as PostgresServer).createDatabase(`o${databases++}`);
  const lines: string[] = [];
  const store = await openPostgresStore({ url, spoolDir: join(dir, `spool-${databases}`), probeIntervalMs: 50, connectTimeoutMs: 500, ...(spoolMaxBytes === undefined ? {} : { spoolMaxBytes }), log: (level, message) => lines.push(`${level}: ${message}`) });
  return { store, url, lines };
}

test("postgres down: traces go to the spool, are written when it is back, and the outage is logged once (start and end), without the password", { skip }, async () => {
  const running = server as PostgresServer;
  const { store, url, lines } = await open();
  try {
    await store.traces.insertMany([traceRecord({ id: "before" })]);
    await running.kill();
    for (let batch = 0; batch < 5; batch++) {
      await store.traces.insertMany(Array.from({ length: 20 }, (_, index) => traceRecord({ id: `down-${batch}-${index}` })));
    }
    assert.equal(store.isDown(), true);
    assert.equal(store.spoolStats().traces, 100);
    assert.ok(readdirSync(join(dir, `spool-${databases}`)).length > 0, "the spool is on disk");
    // Spend settled during the outage waits in memory and is counted meanwhile.
    const settled = store.usage.settle({ keyId: "k", periodStart: 0, reservedUsd: 0, actualUsd: 0.5, inputTokens: 1, outputTokens: 2 });
    await running.start();
    await until(() => !store.isDown() && store.spoolStats().traces === 0);
    await settled;
    const ids = ["before", ...Array.from({ length: 100 }, (_, index) => `down-${Math.floor(index / 20)}-${index % 20}`)];
    assert.equal((await storedIds(url, ids)).size, 101);
    assert.equal((await store.usage.totals("k", 0)).spentUsd, 0.5);
    assert.deepEqual(store.spoolStats(), { bytes: 0, traces: 0, spooledTotal: 100, drainedTotal: 100, droppedTotal: 0 });
    assert.equal(lines.filter((line) => line.includes("is unreachable")).length, 1, lines.join("\n"));
    assert.equal(lines.filter((line) => line.includes("is back; 100 spooled traces written")).length, 1, lines.join("\n"));
    assert.ok(!lines.some((line) => line.includes(running.password) || line.includes(encodeURIComponent(running.password))));
  } finally {
    await store.close();
  }
});

test("postgres down with a full spool: what fits is kept, the rest is dropped, counted and logged once", { skip }, async () => {
  const running = server as PostgresServer;
  const oneTrace = Buffer.byteLength(`${JSON.stringify(traceRecord({ id: "full-0-00" }))}\n`);
  const { store, url, lines } = await open(oneTrace * 30 + 10);
  try {
    await store.traces.insertMany([traceRecord({ id: "warm" })]);
    await running.kill();
    for (let batch = 0; batch < 5; batch++) {
      await store.traces.insertMany(Array.from({ length: 10 }, (_, index) => traceRecord({ id: `full-${batch}-${String(index).padStart(2, "0")}` })));
    }
    assert.equal(store.spoolStats().traces, 30);
    assert.equal(store.spoolStats().droppedTotal, 20);
    assert.equal(lines.filter((line) => line.includes("spool") && line.includes("is full")).length, 1, lines.join("\n"));
    const registry = new Registry();
    registerTraceSpoolMetrics(registry, store);
    const scraped = await registry.metrics();
    assert.match(scraped, /^switchyard_trace_spool_dropped_total 20$/m);
    assert.match(scraped, /^switchyard_trace_spool_written_total 30$/m);
    assert.match(scraped, /^switchyard_trace_spool_traces 30$/m);
    assert.match(scraped, /^switchyard_store_up 0$/m);
    await running.start();
    await until(() => !store.isDown() && store.spoolStats().traces === 0);
    const ids = Array.from({ length: 50 }, (_, index) => `full-${Math.floor(index / 10)}-${String(index % 10).padStart(2, "0")}`);
    assert.equal((await storedIds(url, ids)).size, 30);
    assert.ok(lines.some((line) => line.includes("20 dropped while the spool was full")), lines.join("\n"));
  } finally {
    await store.close();
  }
});

test("a PostgreSQL restart mid-load through the gateway loses no trace of a completed request", { skip, timeout: 60_000 }, async () => {
  const running = server as PostgresServer;
  const { store, url } = await open();
  const upstreams = await scriptedUpstreams("a");
  const errors: string[] = [];
  const logger = { info() {}, warn() {}, error: (fields: Record<string, unknown>, message: string) => void errors.push(`${message} ${JSON.stringify(fields)}`) };
  const { gateway, client } = await startProductionGateway(productionConfig(upstreams, {}, { timeoutMs: 10_000, totalTimeoutMs: 20_000 }), { store, ownsStore: true, logger });
  const completed: string[] = [];
  let failed = 0;
  let restarted = false;
  try {
    // Load runs until a second after PostgreSQL is back (the machine may be slow: bounded by the test's timeout).
    let stopAt = Number.POSITIVE_INFINITY;
    const worker = async () => {
      while (Date.now() < stopAt) {
        try {
          const { response } = await client.chat.completions.create({ model: "a", messages: [{ role: "user", content: "hi" }], max_tokens: 5 }).withResponse();
          completed.push(response.headers.get("x-request-id") ?? "");
        } catch (error) {
          failed++;
          if (failed === 1) process.stdout.write(`# first failure: ${String(error)}\n`);
        }
      }
    };
    const restart = (async () => {
      await new Promise((done) => setTimeout(done, 800));
      await running.kill();
      await new Promise((done) => setTimeout(done, 700));
      await running.start();
      restarted = true;
      stopAt = Date.now() + 1_000;
    })();
    await Promise.all([...Array.from({ length: 8 }, worker), restart]);
    await gateway.services.flush();
    await until(() => !store.isDown() && store.spoolStats().traces === 0, 15_000);
    assert.ok(restarted);
    assert.equal(failed, 0, `the gateway kept serving while PostgreSQL was down: ${errors.slice(0, 3).join("; ")}`);
    assert.ok(completed.length >= 20, `${completed.length} requests completed`);
    assert.ok(store.spoolStats().spooledTotal > 0, "some traces went through the spool");
    const stored = await storedIds(url, completed);
    assert.deepEqual(completed.filter((id) => !stored.has(id)), [], "every completed request has its trace");
  } finally {
    await closeAll(gateway, upstreams);
  }
});
