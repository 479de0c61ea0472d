import assert from "node:assert/strict";
import { test } from "node:test";
import type { Decision } from "../../src/core/decision.js";
import { createLocalBroadcast } from "../../src/coordination/local-coordination.js";
import { learningConfigSchema } from "../../src/learning/learning-config.js";
import { createOnlineLearner, type OnlineLearnerOptions } from "../../src/learning/online-learner.js";
import { observationOf } from "../../src/learning/observation-of.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { Registry } from "prom-client";
import { createLearningMetrics } from "../../src/observability/learning-metrics.js";
import { AlarmingTestOnlineRouter, registerTestOnlineRouter, TestOnlineRouter } from "./test-online-router.js";

registerTestOnlineRouter();
const models = ["small", "large"];

function decisionFor(index: number, model: string): Decision {
  return {
    model,
    router: "test-eps-mean",
    willingnessToPay: 1,
    candidates: models.map((id) => ({ model: id, predictedQuality: 0.5, predictedCostUsd: id === "large" ? 0.01 : 0.001, objective: 0 })),
    decisionMs: 0.1,
    propensity: 0.95,
    routeInput: { text: `prompt ${index}`, embedding: Float32Array.from({ length: 8 }, (_, i) => Math.sin(index + i)), promptTokens: 10 + index },
  };
}

/** Two learners on one store and one broadcast; `make` gives each its router (and, optionally, metrics and a logger, plus whatever the test keeps). */
function twoInstances<T extends Pick<OnlineLearnerOptions, "router"> & Partial<Pick<OnlineLearnerOptions, "metrics" | "logger">>>(make: () => T) {
  const store = createMemoryStore();
  const announcements = createLocalBroadcast();
  const config = learningConfigSchema.parse({});
  const instances = [0, 1].map(() => {
    const parts = make();
    return { ...parts, learner: createOnlineLearner({ router: parts.router, metrics: parts.metrics, logger: parts.logger, repository: store.learning, config, storeText: false, seq: 0, updates: 0, announcements }) };
  });
  return { store, instances };
}

test("two instances learning into one store fold each other's updates in log order: both hold the log's state", async () => {
  const { store, instances } = twoInstances(() => ({ router: new TestOnlineRouter(0.1, models) }));
  for (let i = 0; i < 40; i++) {
    instances[i % 2]!.learner.observe({ requestId: `req-${i}`, keyId: "k", decision: decisionFor(i, models[i % 2]!), servedModel: models[(i >> 1) % 2]!, costUsd: 0.001 * (i + 1), createdAt: Date.now() });
  }
  await Promise.all(instances.map(({ learner }) => learner.flush()));
  // Feedback for each request lands on either instance, concurrently.
  await Promise.all(Array.from({ length: 40 }, (_, i) => instances[(i * 7) % 2]!.learner.feedback({ requestId: `req-${i}`, keyId: "k", score: (i % 5) / 4, trace: undefined })));
  await Promise.all(instances.map(({ learner }) => learner.flush()));
  const replayed = new TestOnlineRouter(0.1, models);
  for (const update of await store.learning.updatesAfter(0)) replayed.update(observationOf(update.input, update.model, update.reward, update.costUsd, update.predictedCostUsd));
  assert.equal(replayed.totalCount(), 40);
  for (const { router, learner } of instances) {
    assert.deepEqual(router.toState(), replayed.toState(), "merged, not overwritten: each instance holds all 40 updates");
    assert.equal(learner.updates(), 40);
    assert.equal(learner.seq(), await store.learning.lastSeq());
  }
});

test("a change alarm is reported once, by the instance that appended the update, though every instance applies it", async () => {
  const { instances } = twoInstances(() => {
    const registry = new Registry();
    const warned: string[] = [];
    const logger = { info() {}, error() {}, warn: (fields: Record<string, unknown>) => warned.push(String(fields.requestId)) };
    return { router: new AlarmingTestOnlineRouter(0.1, models), registry, warned, metrics: createLearningMetrics(registry), logger };
  });
  for (let i = 0; i < 12; i++) {
    instances[i % 2]!.learner.observe({ requestId: `req-${i}`, keyId: "k", decision: decisionFor(i, models[i % 2]!), servedModel: models[i % 2]!, costUsd: 0.001, createdAt: Date.now() });
  }
  await Promise.all(instances.map(({ learner }) => learner.flush()));
  // Zero scores (alarms) for req-4 (sent to instance 1) and req-9 (instance 0); the rest are quiet.
  const instanceFor = (i: number) => (i * 7) % 3 === 0 ? 0 : 1;
  await Promise.all(Array.from({ length: 12 }, (_, i) => instances[instanceFor(i)]!.learner.feedback({ requestId: `req-${i}`, keyId: "k", score: i === 4 || i === 9 ? 0 : 1, trace: undefined })));
  await Promise.all(instances.map(({ learner }) => learner.flush()));
  for (const { router } of instances) assert.equal(router.restarts, 2, "every instance applied both alarming updates");
  const reported = await Promise.all(instances.map(async ({ registry }) => (await registry.getSingleMetric("switchyard_learning_change_alarms_total")?.get())?.values.reduce((sum, value) => sum + value.value, 0) ?? 0));
  assert.equal(reported[0]! + reported[1]!, 2, "counted once in all");
  assert.deepEqual(instances.map(({ warned }) => warned.sort()), [[4, 9].filter((i) => instanceFor(i) === 0).map((i) => `req-${i}`), [4, 9].filter((i) => instanceFor(i) === 1).map((i) => `req-${i}`)]);
});
