import assert from "node:assert/strict";
import { test } from "node:test";
import { createGatewayServices } from "../../src/gateway/gateway-services.js";
import { parseConfig } from "../../src/gateway/config.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import type { LearningContextRecord } from "../../src/stores/learning-records.js";
import { traceRecord } from "./store-contract.js";

test("memory store cap: the oldest traces are dropped and counted, the newest kept", async () => {
  const store = createMemoryStore({ maxTraces: 3 });
  for (let i = 1; i <= 5; i++) await store.traces.insertMany([traceRecord({ id: `req_${i}`, createdAt: 1000 + i })]);
  assert.equal(await store.traces.get("req_1"), undefined);
  assert.equal(await store.traces.get("req_2"), undefined);
  assert.deepEqual((await store.traces.list()).map((trace) => trace.id), ["req_5", "req_4", "req_3"]);
  assert.deepEqual(store.droppedRecords?.(), { traces: 2, contexts: 0 });
  // Re-inserting a kept id is not a new record: nothing more is dropped.
  await store.traces.insertMany([traceRecord({ id: "req_5" })]);
  assert.equal(store.droppedRecords?.().traces, 2);
});

test("memory store cap: learning contexts are capped the same way, with their judgements", async () => {
  const store = createMemoryStore({ maxTraces: 2 });
  const context = (requestId: string) => ({ requestId, keyId: null, model: "m1", chosenModel: "m1", propensity: 1, input: new Uint8Array(4), predictedQuality: null, predictedCostUsd: null, createdAt: 1 }) as unknown as LearningContextRecord;
  await store.learning.putContexts([context("a"), context("b")]);
  await store.learning.setJudgement("a", { score: 1 } as never);
  await store.learning.putContexts([context("c")]);
  assert.equal(await store.learning.getContext("a"), undefined);
  assert.equal(await store.learning.getJudgement("a"), undefined);
  assert.ok(await store.learning.getContext("c"));
  assert.deepEqual(store.droppedRecords?.(), { traces: 0, contexts: 1 });
});

test("memory store cap: a bad cap is an invalid_config error naming store.maxTraces", () => {
  assert.throws(() => createMemoryStore({ maxTraces: 0 }), (error: Error & { code?: string; param?: string }) => error.code === "invalid_config" && /maxTraces/.test(error.message));
});

test("memory store cap: the config accepts store.maxTraces and the gateway exports the dropped count", async () => {
  const config = parseConfig({ upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:9/v1" }], targets: [{ id: "m1", inputUsdPerMTok: 1, outputUsdPerMTok: 1 }], store: { kind: "memory", maxTraces: 1 } }, "test.yaml");
  assert.equal(config.store.kind, "memory");
  const maxTraces = config.store.kind === "memory" ? config.store.maxTraces : undefined;
  assert.equal(maxTraces, 1);
  const store = createMemoryStore({ maxTraces });
  const services = createGatewayServices(config, { store });
  await store.traces.insertMany([traceRecord({ id: "x" }), traceRecord({ id: "y" })]);
  const text = await services.metrics.registry.metrics();
  assert.match(text, /switchyard_store_dropped_records_total\{kind="trace"\} 1/);
});
