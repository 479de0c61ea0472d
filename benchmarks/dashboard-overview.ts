/**
 * Dashboard overview at scale (issue 18): seeds a SQLite store with N traces (default 1,000,000, spread
 * over the last 7 days, 4 targets, 5 keys, routed with 4 candidates each) through the store's own
 * `insertMany` — so the rollups are kept by the same code as in the gateway — then serves the dashboard
 * from that file and measures (a) the admin API's overview answer per window and (b) the overview page in
 * Chromium: from navigation start to every chart drawn (the page's `overview-ready` mark), cold and warm.
 *
 *   npx tsx benchmarks/dashboard-overview.ts [--traces 1000000] [--runs 5] [--keep FILE]
 */
import Database from "better-sqlite3";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "../src/gateway/config.js";
import { createNoRouterEngine } from "../src/gateway/no-router-engine.js";
import { startGateway } from "../src/gateway/serve.js";
import { createAdminKey } from "../src/limits/admin-key.js";
import { migrate } from "../src/stores/sqlite/migrations.js";
import { createSqliteStore } from "../src/stores/sqlite/sqlite-store.js";
import { createSqliteTraceRepository } from "../src/stores/sqlite/sqlite-trace-repository.js";
import { createSqliteTraceRollups } from "../src/stores/sqlite/sqlite-trace-rollups.js";
import { seededTraces, seededTargets as targets } from "./dashboard-traces.js";

const option = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const keepIndex = process.argv.indexOf("--keep");
const traceCount = option("--traces", 1_000_000);
const runs = option("--runs", 5);
const adminKeyValue = "benchmark-admin-key-0123456789";
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

const dir = mkdtempSync(join(tmpdir(), "switchyard-dashboard-bench-"));
const path = keepIndex >= 0 ? process.argv[keepIndex + 1]! : join(dir, "store.db");
const now = Date.now();

async function seed(): Promise<number> {
  const store = createSqliteStore({ path });
  const started = performance.now();
  const batch = 10_000;
  for (let done = 0; done < traceCount; done += batch) await store.traces.insertMany(seededTraces({ from: done, to: Math.min(traceCount, done + batch), total: traceCount, now }));
  await store.close();
  return (performance.now() - started) / 1000;
}

/**
 * CPU per trace written as the gateway writes them (batches of 128 in time order), with and without the
 * rollups, on fresh files; interleaved rounds, median.
 */
async function writeCost(): Promise<{ withUs: number; withoutUs: number }> {
  const count = 20_480;
  const traces = seededTraces({ from: traceCount - count, to: traceCount, total: traceCount, now });
  const results: Record<"with" | "without", number[]> = { with: [], without: [] };
  for (let round = 0; round < 3; round++) {
    for (const arm of ["with", "without"] as const) {
      const file = join(dir, `write-${arm}-${round}.db`);
      const db = new Database(file);
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = NORMAL");
      migrate(db);
      const repository = createSqliteTraceRepository(db, arm === "with" ? { rollups: createSqliteTraceRollups(db) } : {});
      const cpu = process.cpuUsage();
      for (let start = 0; start < count; start += 128) await repository.insertMany(traces.slice(start, start + 128));
      const used = process.cpuUsage(cpu);
      results[arm].push((used.user + used.system) / count);
      db.close();
      rmSync(file, { force: true });
    }
  }
  return { withUs: median(results.with), withoutUs: median(results.without) };
}

const seeded = existsSync(path) && statSync(path).size > 0 ? 0 : await seed();
const store = createSqliteStore({ path });
const config = parseConfig(
  { upstreams: [{ name: "none", baseUrl: "http://127.0.0.1:9/v1" }], targets: targets.map((target) => ({ id: target.id, inputUsdPerMTok: 1, outputUsdPerMTok: 1 })), ui: { enabled: true, defaultModel: "gpt-4-1106-preview" } },
  "benchmark.yaml",
);
const gateway = await startGateway({ config, engine: createNoRouterEngine(), port: 0, store, adminKey: createAdminKey({ env: { SWITCHYARD_ADMIN_KEY: adminKeyValue } }) });

const apiTimes: Record<string, number[]> = {};
const apiCpu: Record<string, number[]> = {};
let requestsIn24h = 0;
for (const window of ["1h", "24h", "7d", "30d"]) {
  apiTimes[window] = [];
  apiCpu[window] = [];
  // One untimed request first: statements are prepared and compiled on first use.
  await fetch(`${gateway.url}/admin/api/overview?window=${window}`, { headers: { authorization: `Bearer ${adminKeyValue}` } });
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const response = await fetch(`${gateway.url}/admin/api/overview?window=${window}`, { headers: { authorization: `Bearer ${adminKeyValue}` } });
    const body = (await response.json()) as { totals: { requests: number } };
    const used = process.cpuUsage(cpu);
    apiTimes[window]!.push(performance.now() - started);
    apiCpu[window]!.push((used.user + used.system) / 1000);
    if (window === "24h") requestsIn24h = body.totals.requests;
  }
}

const { chromium } = await import("playwright-core");
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
const pageTimes: number[] = [];
const rendererCpu: number[] = [];
const mainThreadCpu: number[] = [];
for (let run = 0; run < runs; run++) {
  // A fresh context each run: a new renderer process, an empty cache — the page as a person first opens it.
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  await context.addInitScript(`sessionStorage.setItem("switchyard.adminKey", ${JSON.stringify(adminKeyValue)})`);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  await page.goto(`${gateway.url}/ui#/overview`);
  await page.locator("body[data-ready=overview]").waitFor({ timeout: 30_000 });
  pageTimes.push(Number(await page.evaluate(`performance.getEntriesByName("overview-ready")[0].startTime`)));
  // CPU the renderer used (process, and its main thread) up to now: what the page costs without the machine's queueing.
  const { metrics } = (await cdp.send("Performance.getMetrics")) as { metrics: Array<{ name: string; value: number }> };
  rendererCpu.push(1000 * (metrics.find((metric) => metric.name === "ProcessTime")?.value ?? Number.NaN));
  mainThreadCpu.push(1000 * (metrics.find((metric) => metric.name === "ThreadTime")?.value ?? Number.NaN));
  if (process.argv.includes("--breakdown")) {
    process.stderr.write(`${await page.evaluate(`JSON.stringify([performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd, ...performance.getEntriesByType("resource").map((entry) => [entry.name.split("/").pop(), Math.round(entry.startTime), Math.round(entry.responseEnd)])])`)}\n`);
  }
  await context.close();
}
await browser.close();
await gateway.close();
await store.close();
const fileMb = statSync(path).size / 1e6;
const countDb = new Database(path, { readonly: true });
const rollupRows = countDb.prepare("SELECT width_ms, COUNT(*) AS n FROM trace_rollups GROUP BY width_ms").all() as Array<{ width_ms: number; n: number }>;
countDb.close();
const cost = await writeCost();
if (keepIndex < 0) rmSync(dir, { recursive: true, force: true });

const fmt = (value: number) => value.toFixed(1);
process.stdout.write(
  [
    `traces: ${traceCount.toLocaleString("en-US")} over 7 days (${requestsIn24h.toLocaleString("en-US")} in the last 24 h); rollup rows ${rollupRows.map((row) => `${row.n.toLocaleString("en-US")} per ${row.width_ms === 60_000 ? "minute" : "hour"}`).join(", ")}; store file ${fmt(fileMb)} MB${seeded > 0 ? `; seeded in ${fmt(seeded)} s (${Math.round(traceCount / seeded).toLocaleString("en-US")} traces/s with rollups)` : ""}`,
    "",
    `trace writes, CPU per trace (batches of 128, time order): ${fmt(cost.withoutUs)} µs without rollups, ${fmt(cost.withUs)} µs with them`,
    "",
    "| measure | median | max |",
    "|---|---|---|",
    ...Object.entries(apiTimes).map(([window, times]) => `| GET /admin/api/overview?window=${window}: wall ms (CPU ms, server + client) | ${fmt(median(times))} (${fmt(median(apiCpu[window]!))}) | ${fmt(Math.max(...times))} (${fmt(Math.max(...apiCpu[window]!))}) |`),
    `| overview page ready, all 4 charts drawn, 24 h window: wall ms from navigation start (new context, cold cache) | ${fmt(median(pageTimes))} | ${fmt(Math.max(...pageTimes))} |`,
    `| … renderer process CPU ms until ready (main thread) | ${fmt(median(rendererCpu))} (${fmt(median(mainThreadCpu))}) | ${fmt(Math.max(...rendererCpu))} (${fmt(Math.max(...mainThreadCpu))}) |`,
    "",
  ].join("\n"),
);
