import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { DashboardSources, DashboardStore } from "../../src/dashboard/dashboard-data.js";
import type { DashboardRead } from "../../src/dashboard/dashboard-read.js";
import { createDashboardReader } from "../../src/dashboard/dashboard-reader.js";
import { createGateway } from "../../src/gateway/create-gateway.js";
import { createAdminKey } from "../../src/limits/admin-key.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import type { Store } from "../../src/stores/store.js";
import { stubEngine } from "../gateway/gateway-test-kit.js";
import { dashboardConfig, routedTrace, testAdminKey } from "./dashboard-fixtures.js";

const now = Date.UTC(2026, 11, 5, 12, 0, 0);
const minute = 60_000;
const directory = await mkdtemp(join(tmpdir(), "switchyard-dashboard-reader-"));
after(() => rm(directory, { recursive: true, force: true }));

/** A SQLite store with traces over two days, a key with settled spend, an in-flight reservation and a pacer state. */
async function seededStore(name: string): Promise<Store> {
  const store = createSqliteStore({ path: join(directory, name, "switchyard.db") });
  const traces = [];
  for (let index = 0; index < 400; index++) {
    const served = index % 7 === 0 ? null : index % 3 === 0 ? "mistral-7b" : "gpt-4-1106-preview";
    traces.push(
      routedTrace({
        id: `req_${index}`,
        createdAt: now - index * 7 * minute,
        served,
        strong: [0.9 - (index % 5) * 0.01, 0.01],
        cheap: [0.6, 0.001 + (index % 4) * 0.0005],
        costUsd: served === null ? null : 0.001 * (1 + (index % 9)),
        latencyMs: 40 + (index % 13) * 17,
        ...(served === null ? { status: 502, errorCode: "upstream_error" } : {}),
        keyId: index % 2 === 0 ? "key_1" : null,
        prompt: `prompt <script>alert(${index})</script> number ${index}`,
      }),
    );
  }
  await store.traces.insertMany(traces);
  await store.traces.setFeedback("req_1", { score: 0.5, label: "meh", createdAt: now });
  await store.traces.addReward("req_2", { source: "exact-match", score: 0.8, createdAt: now });
  await store.keys.insert({ id: "key_1", name: "team-a", hash: "h".repeat(64), prefix: "sy-abcd", createdAt: now - 86_400_000, revokedAt: null, budgetUsd: 10, budgetPeriod: "day", rpm: 60, tpm: null, models: null });
  await store.learning.putPacerState("key:key_1", JSON.stringify({ spentUsd: 1.5, requests: 12, logMultiplier: -0.2 }));
  await store.usage.settle({ keyId: "key_1", periodStart: Date.UTC(2026, 11, 5), reservedUsd: 0, actualUsd: 2.5, inputTokens: 10, outputTokens: 5 });
  // Only in this process's ledger (in-flight): a reader of the file alone could not know it.
  await store.usage.reserve({ keyId: "key_1", periodStart: Date.UTC(2026, 11, 5), amountUsd: 0.75, limitUsd: 10 });
  return store;
}

function sourcesOf(store: DashboardStore): DashboardSources {
  return {
    store,
    targets: ["gpt-4-1106-preview", "mistral-7b"],
    defaultModel: "mistral-7b",
    breakerPhase: (target) => (target === "mistral-7b" ? "open" : "closed"),
    learnerActive: false,
    rateLimitHits: () => new Map([["team-a", 3], ["open", 2]]),
    now: () => now,
  };
}

const reads: DashboardRead[] = [
  ...(["1h", "6h", "24h", "7d", "30d"] as const).flatMap((window) => (["overview", "models", "learning"] as const).map((endpoint) => ({ endpoint, window }))),
  { endpoint: "keys" },
  { endpoint: "decisions", filter: { limit: 26 }, pageSize: 25 },
  { endpoint: "decisions", filter: { limit: 11, search: "script", outcome: "ok", model: "mistral-7b", since: now - 86_400_000 }, pageSize: 10 },
  { endpoint: "decisions", filter: { limit: 6, before: { createdAt: now - 70 * minute, id: "req_10" }, keyId: "key_1", status: 200 }, pageSize: 5 },
];

test("reads on the worker thread answer the same bytes as on the serving thread, without touching the serving thread's connection", async () => {
  const store = await seededStore("same-bytes");
  assert.ok(store.filePath?.endsWith("switchyard.db"));
  const inThread = createDashboardReader({ sources: sourcesOf(store) });
  assert.equal(inThread.runsOn, "serving thread");
  // The serving thread's store with every file read removed: the answers must come from the worker's own connection.
  const refuse = () => {
    throw new Error("read on the serving thread");
  };
  const servingOnly: DashboardStore = {
    kind: "sqlite",
    keys: store.keys,
    usage: store.usage,
    traces: { list: refuse },
    learning: { pacerState: refuse, snapshot: refuse, lastSeq: refuse },
    rollups: { series: refuse, latency: refuse, counterfactual: refuse },
  };
  const failures: string[] = [];
  const worker = createDashboardReader({ sources: sourcesOf(servingOnly), sqlitePath: store.filePath!, onWorkerFailure: (message) => failures.push(message) });
  try {
    for (const read of reads) {
      const expected = await inThread.read(read);
      assert.equal(await worker.read(read), expected, `${JSON.stringify(read)}`);
    }
    assert.equal(worker.runsOn, "worker");
    assert.deepEqual(failures, []);
    const keys = JSON.parse(await worker.read({ endpoint: "keys" })) as { keys: Array<{ budget: { spentUsd: number; reservedUsd: number }; rateLimitHits: { sinceStart: number } }>; openRateLimitHits: number };
    assert.deepEqual([keys.keys[0]?.budget.spentUsd, keys.keys[0]?.budget.reservedUsd, keys.keys[0]?.rateLimitHits.sinceStart, keys.openRateLimitHits], [2.5, 0.75, 3, 2], "the ledger's in-memory totals and the live counters come from the serving thread");
    const models = JSON.parse(await worker.read({ endpoint: "models", window: "24h" })) as { models: Array<{ target: string; breaker: string | null }> };
    assert.equal(models.models.find((model) => model.target === "mistral-7b")?.breaker, "open");
    // Many reads at once (several tabs) are all answered, each with its own request's answer.
    const many = await Promise.all(reads.map((read) => worker.read(read)));
    assert.deepEqual(many, await Promise.all(reads.map((read) => inThread.read(read))));
  } finally {
    await worker.close();
    await store.close();
  }
});

test("a reader thread that cannot open the file falls back to the serving thread, once told", async () => {
  const store = await seededStore("fallback");
  const failures: string[] = [];
  const reader = createDashboardReader({ sources: sourcesOf(store), sqlitePath: join(directory, "no-such-dir", "missing.db"), onWorkerFailure: (message) => failures.push(message) });
  try {
    const expected = await createDashboardReader({ sources: sourcesOf(store) }).read({ endpoint: "overview", window: "24h" });
    assert.equal(await reader.read({ endpoint: "overview", window: "24h" }), expected);
    assert.equal(reader.runsOn, "serving thread");
    assert.equal(await reader.read({ endpoint: "overview", window: "24h" }), expected);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /cannot open/);
  } finally {
    await reader.close();
    await store.close();
  }
});

test("an idle reader thread stops, and the next read starts a new one without falling back", async () => {
  const store = await seededStore("idle");
  const failures: string[] = [];
  const reader = createDashboardReader({ sources: sourcesOf(store), sqlitePath: store.filePath!, idleMs: 50, onWorkerFailure: (message) => failures.push(message) });
  try {
    const expected = await createDashboardReader({ sources: sourcesOf(store) }).read({ endpoint: "models", window: "1h" });
    assert.equal(await reader.read({ endpoint: "models", window: "1h" }), expected);
    // The process's threads (Linux): the reader's goes when idle.
    const threads = () => readdirSync("/proc/self/task").length;
    const whileReading = threads();
    await new Promise((done) => setTimeout(done, 300));
    if (process.platform === "linux") assert.ok(threads() < whileReading, `${threads()} threads after idle, ${whileReading} while reading`);
    assert.equal(await reader.read({ endpoint: "models", window: "1h" }), expected);
    assert.equal(reader.runsOn, "worker");
    assert.deepEqual(failures, []);
  } finally {
    await reader.close();
    await store.close();
  }
});

test("the gateway's admin API on a SQLite store answers from the reader thread, as documented", async () => {
  const store = await seededStore("gateway");
  const config = dashboardConfig();
  const app = createGateway(config, { engine: stubEngine(config), store, adminKey: createAdminKey({ env: { SWITCHYARD_ADMIN_KEY: testAdminKey } }), now: () => now });
  const inThread = createDashboardReader({ sources: { ...sourcesOf(store), breakerPhase: () => "closed", rateLimitHits: () => new Map() } });
  try {
    for (const [path, read] of [
      ["/admin/api/overview?window=7d", { endpoint: "overview", window: "7d" }],
      ["/admin/api/models", { endpoint: "models", window: "24h" }],
      ["/admin/api/keys", { endpoint: "keys" }],
      ["/admin/api/learning?window=1h", { endpoint: "learning", window: "1h" }],
      ["/admin/api/decisions?limit=10&search=script", { endpoint: "decisions", filter: { limit: 11, search: "script" }, pageSize: 10 }],
    ] as Array<[string, DashboardRead]>) {
      const response = await app.request(path, { headers: { authorization: `Bearer ${testAdminKey}` } });
      assert.equal(response.status, 200, path);
      assert.equal(response.headers.get("content-type"), "application/json");
      assert.equal(response.headers.get("cache-control"), "no-store");
      assert.equal(await response.text(), await inThread.read(read), path);
    }
    const bad = await app.request("/admin/api/overview?window=2d", { headers: { authorization: `Bearer ${testAdminKey}` } });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { param: string } }).error.param, "window");
    assert.equal((await app.request("/admin/api/overview")).status, 401);
  } finally {
    await store.close();
  }
});
