import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { createRandom } from "../../src/core/random.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import type { Store } from "../../src/stores/store.js";
import type { TraceRecord } from "../../src/stores/trace-record.js";
import { addRollupCounters, emptyRollupCounters, latencyBinOf, latencyOfBin, quantileOfHistogram, rollupCounterNames, rollupCountersOf } from "../../src/stores/trace-rollup.js";
import type { RollupQuery } from "../../src/stores/trace-rollup-repository.js";
import { nanoUsdOf } from "../../src/stores/usd-units.js";
import { routedTrace } from "../dashboard/dashboard-fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "switchyard-rollups-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const start = Date.UTC(2026, 11, 5, 9, 0, 0);

function randomTraces(count: number, seed: number): TraceRecord[] {
  const random = createRandom(seed);
  const models = ["gpt-4-1106-preview", "mistral-7b", null] as const;
  return Array.from({ length: count }, (_, index) => {
    const served = models[Math.floor(random() * 3)] ?? null;
    const failed = served === null;
    return routedTrace({
      id: `req_${seed}_${index}`,
      createdAt: start + Math.floor(random() * 3 * 3_600_000),
      served,
      strong: [0.5 + random() / 2, random() / 100],
      cheap: [random() / 2, random() / 1000],
      costUsd: failed ? null : random() / 50,
      latencyMs: 5 + random() * 2000,
      status: failed ? (random() < 0.5 ? 429 : 502) : 200,
      errorCode: failed ? "upstream_error" : null,
      keyId: ["key_a", "key_b", null][Math.floor(random() * 3)] ?? null,
      propensity: random() < 0.3 ? 0.4 : 1,
    });
  });
}

/** What the rollups must say, computed from the traces themselves. */
function bruteForce(traces: readonly TraceRecord[], query: RollupQuery) {
  const rows = new Map<string, Record<string, number>>();
  for (const trace of traces) {
    if (trace.createdAt < query.since || trace.createdAt >= query.until) continue;
    const step = query.since + Math.floor((trace.createdAt - query.since) / query.stepMs) * query.stepMs;
    const group = query.by === "target" ? (trace.servedModel ?? trace.requestedModel ?? "none") : "";
    const id = `${step}|${group}`;
    const row = rows.get(id) ?? { requests: 0, errors: 0, costNano: 0, routed: 0, predictedCostNano: 0, explored: 0, feedbackCount: 0, feedbackSum: 0, rewardCount: 0 };
    const counters = rollupCountersOf(trace);
    row.requests! += 1;
    row.errors! += counters.errors;
    row.costNano! += trace.costUsd === null ? 0 : nanoUsdOf(trace.costUsd);
    row.routed! += counters.routed;
    row.predictedCostNano! += counters.predictedCostNano;
    row.explored! += counters.explored;
    row.feedbackCount! += trace.feedback ? 1 : 0;
    row.feedbackSum! += trace.feedback?.score ?? 0;
    row.rewardCount! += trace.rewards?.length ?? 0;
    rows.set(id, row);
  }
  return rows;
}

async function fill(store: Store, traces: TraceRecord[]) {
  for (let index = 0; index < traces.length; index += 97) await store.traces.insertMany(traces.slice(index, index + 97));
  // A replayed batch (journal recovery) must not be counted twice.
  await store.traces.insertMany(traces.slice(0, 50));
  for (const trace of traces.slice(0, 40)) {
    await store.traces.setFeedback(trace.id, { score: 0.2, label: null, createdAt: start });
    trace.feedback = { score: 0.2, label: null, createdAt: start };
  }
  for (const trace of traces.slice(0, 20)) {
    await store.traces.setFeedback(trace.id, { score: 0.9, label: null, createdAt: start });
    trace.feedback = { score: 0.9, label: null, createdAt: start };
  }
  for (const trace of traces.slice(30, 45)) {
    await store.traces.addReward(trace.id, { source: "exact-match", score: 1, createdAt: start });
    trace.rewards = [{ source: "exact-match", score: 1, createdAt: start }];
  }
}

async function assertMatches(store: Store, traces: readonly TraceRecord[]) {
  const queries: RollupQuery[] = [
    { widthMs: 60_000, since: start, until: start + 3 * 3_600_000, stepMs: 15 * 60_000, by: "target" },
    { widthMs: 60_000, since: start + 3_600_000, until: start + 2 * 3_600_000, stepMs: 3_600_000 },
    { widthMs: 3_600_000, since: start, until: start + 3 * 3_600_000, stepMs: 3_600_000, by: "target" },
  ];
  for (const query of queries) {
    const expected = bruteForce(traces, query);
    const actual = await store.rollups!.series(query);
    assert.equal(actual.length, expected.size, `${store.kind}: rows of ${JSON.stringify(query)}`);
    for (const row of actual) {
      const want = expected.get(`${row.bucketStart}|${row.group}`);
      assert.ok(want, `${store.kind}: unexpected row ${row.bucketStart} ${row.group}`);
      for (const [name, value] of Object.entries(want)) {
        const got = row[name as keyof typeof row] as number;
        assert.ok(Math.abs(got - value) < 1e-6, `${store.kind} ${name} at ${row.bucketStart}/${row.group}: ${got} vs ${value}`);
      }
    }
    const latency = await store.rollups!.latency({ ...query, stepMs: query.until - query.since, by: undefined });
    const inWindow = traces.filter((trace) => trace.createdAt >= query.since && trace.createdAt < query.until).map((trace) => trace.latencyMs).sort((a, b) => a - b);
    const histogram = new Map(latency.map((row) => [row.bin, row.count]));
    const p99 = quantileOfHistogram(histogram, 0.99)!;
    const exact = inWindow[Math.ceil(0.99 * inWindow.length) - 1]!;
    assert.ok(Math.abs(p99 - exact) / exact < 0.08, `${store.kind}: p99 ${p99} vs ${exact}`);
  }
}

test("addRollupCounters adds every counter (its fields are spelled out, so a new counter must be added there too)", () => {
  const into = emptyRollupCounters();
  const from = emptyRollupCounters();
  rollupCounterNames.forEach((name, index) => {
    into[name] = index;
    from[name] = 100 + index;
  });
  addRollupCounters(into, from);
  rollupCounterNames.forEach((name, index) => assert.equal(into[name], 100 + 2 * index, name));
});

test("latency bins: every latency lands in a bin whose representative is within 7.5 %", () => {
  for (const ms of [1, 1.5, 7, 99.9, 100, 1234, 60_000, 3_600_000]) {
    const bin = latencyBinOf(ms);
    assert.ok(Math.abs(latencyOfBin(bin) - ms) / ms < 0.075, `${ms} ms → bin ${bin} (${latencyOfBin(bin)})`);
  }
  assert.equal(latencyBinOf(0.3), 0);
  assert.equal(latencyBinOf(Number.NaN), 0);
});

test("SQLite and memory rollups equal the sums of the traces they were written from", async () => {
  const traces = randomTraces(600, 7);
  const sqlite = createSqliteStore({ path: join(dir, "rollups.db") });
  const memory = createMemoryStore();
  for (const store of [sqlite, memory]) {
    const copy = structuredClone(traces);
    await fill(store, copy);
    await assertMatches(store, copy);
  }
  const counterfactual = await sqlite.rollups!.counterfactual({ widthMs: 3_600_000, since: start, until: start + 3 * 3_600_000, stepMs: 3 * 3_600_000 });
  assert.deepEqual(counterfactual, await memory.rollups!.counterfactual({ widthMs: 3_600_000, since: start, until: start + 3 * 3_600_000, stepMs: 3 * 3_600_000 }));
  assert.equal(counterfactual.find((row) => row.model === "mistral-7b")?.candidates, 600);
  await sqlite.close();
});

test("a store upgraded from schema 4 gets rollups of the traces it already held", async () => {
  const path = join(dir, "upgrade.db");
  const traces = randomTraces(300, 11);
  const store = createSqliteStore({ path });
  await fill(store, traces);
  await store.close();
  const db = new Database(path);
  db.exec("DROP TABLE trace_rollups; DROP TABLE trace_latency_rollups; DROP TABLE trace_counterfactual_rollups; ALTER TABLE traces DROP COLUMN stages;");
  db.pragma("user_version = 4");
  db.close();
  const reopened = createSqliteStore({ path });
  await assertMatches(reopened, traces);
  await reopened.close();
});

test("judge grades reach the rollups through the learning context of their request", async () => {
  for (const store of [createSqliteStore({ path: ":memory:" }), createMemoryStore()]) {
    const trace = routedTrace({ id: "req_j", createdAt: start, served: "mistral-7b", strong: [0.9, 0.01], cheap: [0.5, 0.001], costUsd: 0.001, latencyMs: 10 });
    await store.traces.insertMany([trace]);
    await store.learning.putContexts([{ requestId: "req_j", keyId: null, model: "mistral-7b", chosenModel: "mistral-7b", propensity: 1, input: new Uint8Array([1]), predictedQuality: 0.5, predictedCostUsd: 0.001, costUsd: 0.001, createdAt: start }]);
    await store.learning.setJudgement("req_j", { score: 0.25, costUsd: 0.0001, at: start });
    await store.learning.setJudgement("req_j", { score: 0.75, costUsd: 0.0001, at: start });
    const [row] = await store.rollups!.series({ widthMs: 60_000, since: start, until: start + 60_000, stepMs: 60_000 });
    assert.deepEqual([row?.judgeCount, row?.judgeSum], [1, 0.75], `${store.kind}: a regraded request counts once`);
    await store.close();
  }
});
