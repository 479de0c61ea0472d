import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import Database from "better-sqlite3";
import { routingLogOfTraces } from "../../src/data/routing-log-of-traces.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { migrate, migrations } from "../../src/stores/sqlite/migrations.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import type { Store } from "../../src/stores/store.js";
import { traceRecord } from "./store-contract.js";

const dir = mkdtempSync(join(tmpdir(), "switchyard-decision-log-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const logged = traceRecord({
  id: "new",
  promptHash: "ab".repeat(32),
  attempts: [{ target: "m1", attempt: 1, outcome: "ok", status: 200, durationMs: 7 }],
  fallbacks: 0,
  decision: { router: "knn", model: "m1", propensity: 0.25, quality: 0.4, artifact: "0123456789abcdef", willingnessToPay: 1, candidates: [{ model: "m1", predictedQuality: 0.8, predictedCostUsd: 0.001, objective: 0.799 }], decisionMs: 0.3 },
});

for (const [name, open] of [["sqlite", () => createSqliteStore({ path: join(dir, "store.db") })], ["memory", createMemoryStore]] as Array<[string, () => Store]>) {
  test(`${name}: the decision log round-trips; rewards are appended later`, async () => {
    const store = open();
    await store.traces.insertMany([logged]);
    assert.deepEqual(await store.traces.get("new"), logged);
    assert.equal(await store.traces.addReward("new", { source: "judge:gpt-4o", score: 0.5, createdAt: 5 }), true);
    assert.equal(await store.traces.addReward("new", { source: "exact-match", score: 1, createdAt: 6 }), true);
    assert.equal(await store.traces.addReward("missing", { source: "judge", score: 1, createdAt: 6 }), false);
    const read = await store.traces.get("new");
    assert.deepEqual(read?.rewards, [{ source: "judge:gpt-4o", score: 0.5, createdAt: 5 }, { source: "exact-match", score: 1, createdAt: 6 }]);
    // Without client feedback, the latest joined reward is the routing log's reward.
    assert.equal(routingLogOfTraces([read!]).entries[0]?.reward, 1);
    await store.traces.setFeedback("new", { score: 0, label: null, createdAt: 7 });
    assert.equal(routingLogOfTraces([(await store.traces.get("new"))!]).entries[0]?.reward, 0);
    await store.close();
  });
}

test("sqlite: a version-1 database migrates and its old traces stay readable (and are left out of the routing log)", async () => {
  const path = join(dir, "old.db");
  const db = new Database(path);
  migrate(db, migrations.slice(0, 1));
  db.prepare(`INSERT INTO traces (id, created_at, endpoint, key_id, requested_model, served_model, stream, status, error_code, latency_ms,
    upstream_ms, fallbacks, input_tokens, output_tokens, cost_usd, decision, attempts, prompt, response)
    VALUES ('old', 1, '/v1/chat/completions', NULL, 'auto', 'm1', 0, 200, NULL, 5, 4, 0, 1, 2, 0.1, ?, '[]', NULL, NULL)`).run(
    JSON.stringify({ router: "knn", willingnessToPay: 1, candidates: [{ model: "m1", predictedQuality: 0.8, predictedCostUsd: 0.001, objective: 0.799 }], decisionMs: 0.3 }),
  );
  db.close();
  const store = createSqliteStore({ path });
  const old = await store.traces.get("old");
  assert.equal(old?.servedModel, "m1");
  assert.equal(old?.promptHash, undefined);
  assert.equal(old?.rewards, undefined);
  await store.traces.insertMany([logged]);
  const exported = routingLogOfTraces(await store.traces.list());
  assert.deepEqual(exported.entries.map((entry) => entry.id), ["new"]);
  assert.equal(exported.withoutPropensity, 1);
  assert.equal(exported.entries[0]?.propensity, 0.25);
  assert.equal(exported.entries[0]?.artifact, "0123456789abcdef");
  assert.equal(exported.entries[0]?.knob, 0.4);
  await store.close();
});

test("routing log: fallbacks, failures and unrouted requests are counted and left out; unknown cost is estimated", () => {
  const decision = logged.decision!;
  const exported = routingLogOfTraces([
    logged,
    traceRecord({ id: "fallback", servedModel: "m2", decision }),
    traceRecord({ id: "failed", status: 502, servedModel: null, decision }),
    traceRecord({ id: "named", requestedModel: "m1", decision: null }),
    traceRecord({ id: "no-usage", costUsd: null, decision }),
  ]);
  assert.deepEqual(exported.entries.map((entry) => entry.id), ["new", "no-usage"]);
  assert.deepEqual([exported.servedByFallback, exported.failed, exported.notRouted], [1, 1, 1]);
  assert.equal(exported.entries[1]?.costUsd, 0.001);
  assert.equal(exported.entries[1]?.costEstimated, true);
});
