import assert from "node:assert/strict";
import { test } from "node:test";
import type { ApiKeyRecord } from "../../src/stores/api-key-record.js";
import type { Store } from "../../src/stores/store.js";
import type { TraceRecord } from "../../src/stores/trace-record.js";

/** A key record with test defaults. */
export function keyRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id: "key_1",
    name: "alice",
    hash: "h1",
    prefix: "sy-abcd",
    createdAt: 1000,
    revokedAt: null,
    budgetUsd: 10,
    budgetPeriod: "month",
    rpm: 60,
    tpm: null,
    models: ["m1", "m2"],
    ...overrides,
  };
}

/** A trace record with test defaults. */
export function traceRecord(overrides: Partial<TraceRecord> = {}): TraceRecord {
  return {
    id: "req_1",
    createdAt: 1000,
    endpoint: "/v1/chat/completions",
    keyId: "key_1",
    requestedModel: "auto",
    servedModel: "m1",
    stream: false,
    status: 200,
    errorCode: null,
    latencyMs: 12.5,
    upstreamMs: 10,
    decision: { router: "knn", willingnessToPay: 1, candidates: [{ model: "m1", predictedQuality: 0.8, predictedCostUsd: 0.001, objective: 0.799 }], decisionMs: 0.3 },
    attempts: [{ target: "m2", attempt: 1, outcome: "http_500", status: 500, durationMs: 3 }, { target: "m1", attempt: 1, outcome: "ok", status: 200, durationMs: 7 }],
    fallbacks: 1,
    inputTokens: 10,
    outputTokens: 20,
    costUsd: 0.00003,
    ...overrides,
  };
}

/** The behaviour every {@link Store} must share; run once per backend. */
export function storeContract(name: string, open: () => Store | Promise<Store>): void {
  test(`${name}: keys insert, find, list, revoke, unique active names`, async () => {
    const store = await open();
    await store.keys.insert(keyRecord());
    await assert.rejects(store.keys.insert(keyRecord({ id: "key_2", hash: "h2" })), /already exists/);
    assert.deepEqual(await store.keys.findByHash("h1"), keyRecord());
    assert.equal(await store.keys.findByHash("nope"), undefined);
    assert.equal(await store.keys.countActive(), 1);
    assert.equal(await store.keys.revoke("key_1", 2000), true);
    assert.equal(await store.keys.revoke("key_1", 3000), false);
    assert.equal((await store.keys.findById("key_1"))?.revokedAt, 2000);
    await store.keys.insert(keyRecord({ id: "key_2", hash: "h2", createdAt: 1500, models: null, budgetUsd: null }));
    assert.deepEqual((await store.keys.list()).map((key) => key.id), ["key_1", "key_2"]);
    assert.equal((await store.keys.findById("key_2"))?.models, null);
    assert.equal(await store.keys.countActive(), 1);
    assert.equal(await store.keys.countAll(), 2);
    await store.close();
  });

  test(`${name}: reservations never exceed the limit and sums do not drift`, async () => {
    const store = await open();
    const base = { keyId: "k", periodStart: 0, limitUsd: 0.01 };
    const results = await Promise.all(Array.from({ length: 15 }, () => store.usage.reserve({ ...base, amountUsd: 0.001 })));
    assert.equal(results.filter((result) => result.ok).length, 10);
    assert.equal((await store.usage.totals("k", 0)).reservedUsd, 0.01);
    await store.usage.settle({ keyId: "k", periodStart: 0, reservedUsd: 0.001, actualUsd: 0.0004, inputTokens: 5, outputTokens: 7 });
    const totals = await store.usage.totals("k", 0);
    assert.deepEqual(totals, { spentUsd: 0.0004, reservedUsd: 0.009, requests: 1, inputTokens: 5, outputTokens: 7 });
    assert.equal((await store.usage.reserve({ ...base, amountUsd: 0.0006 })).ok, true);
    assert.equal((await store.usage.reserve({ ...base, amountUsd: 0.000001 })).ok, false);
    await store.usage.clearReservations();
    assert.equal((await store.usage.totals("k", 0)).reservedUsd, 0);
    assert.deepEqual(await store.usage.totals("other", 0), { spentUsd: 0, reservedUsd: 0, requests: 0, inputTokens: 0, outputTokens: 0 });
    await store.close();
  });

  test(`${name}: traces round-trip, filter, feedback and prune`, async () => {
    const store = await open();
    await store.traces.insertMany([
      traceRecord(),
      traceRecord({ id: "req_2", createdAt: 2000, keyId: "key_2", status: 502, errorCode: "upstream_error", servedModel: null, prompt: "hi", response: "yo" }),
      traceRecord({ id: "req_3", createdAt: 3000, requestedModel: "m2", servedModel: "m2", decision: null, stages: { guard: "reroute", route: "legal" } }),
    ]);
    assert.deepEqual(await store.traces.get("req_1"), traceRecord());
    assert.equal((await store.traces.get("req_2"))?.prompt, "hi");
    assert.deepEqual((await store.traces.get("req_3"))?.stages, { guard: "reroute", route: "legal" });
    assert.deepEqual((await store.traces.list()).map((trace) => trace.id), ["req_3", "req_2", "req_1"]);
    assert.deepEqual((await store.traces.list({ keyId: "key_2" })).map((trace) => trace.id), ["req_2"]);
    assert.deepEqual((await store.traces.list({ model: "m2" })).map((trace) => trace.id), ["req_3"]);
    assert.deepEqual((await store.traces.list({ outcome: "error" })).map((trace) => trace.id), ["req_2"]);
    assert.deepEqual((await store.traces.list({ outcome: "ok", since: 1500 })).map((trace) => trace.id), ["req_3"]);
    assert.deepEqual((await store.traces.list({ until: 2000 })).map((trace) => trace.id), ["req_1"]);
    assert.deepEqual((await store.traces.list({ status: 502 })).map((trace) => trace.id), ["req_2"]);
    assert.deepEqual((await store.traces.list({ limit: 1 })).map((trace) => trace.id), ["req_3"]);
    assert.equal(await store.traces.setFeedback("missing", { score: 1, label: null, createdAt: 5 }), false);
    assert.equal(await store.traces.setFeedback("req_1", { score: 0.5, label: "meh", createdAt: 5 }), true);
    assert.equal(await store.traces.setFeedback("req_1", { score: 1, label: null, createdAt: 6 }), true);
    assert.deepEqual((await store.traces.get("req_1"))?.feedback, { score: 1, label: null, createdAt: 6 });
    assert.equal(await store.traces.prune(2500), 2);
    assert.deepEqual((await store.traces.list()).map((trace) => trace.id), ["req_3"]);
    await store.close();
  });

  test(`${name}: breaker states are upserted`, async () => {
    const store = await open();
    await store.breakers.put({ targetId: "m1", phase: "open", openUntil: 500, consecutiveOpens: 1, updatedAt: 100 });
    await store.breakers.put({ targetId: "m1", phase: "closed", openUntil: null, consecutiveOpens: 0, updatedAt: 600 });
    await store.breakers.put({ targetId: "m2", phase: "half-open", openUntil: 700, consecutiveOpens: 2, updatedAt: 650 });
    const states = (await store.breakers.all()).sort((a, b) => a.targetId.localeCompare(b.targetId));
    assert.deepEqual(states, [
      { targetId: "m1", phase: "closed", openUntil: null, consecutiveOpens: 0, updatedAt: 600 },
      { targetId: "m2", phase: "half-open", openUntil: 700, consecutiveOpens: 2, updatedAt: 650 },
    ]);
    await store.close();
  });
}
