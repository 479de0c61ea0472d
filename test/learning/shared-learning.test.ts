import assert from "node:assert/strict";
import { test } from "node:test";
import type { Decision } from "../../src/core/decision.js";
import { createLocalBroadcast } from "../../src/coordination/local-coordination.js";
import { learningConfigSchema } from "../../src/learning/learning-config.js";
import { createOnlineLearner } from "../../src/learning/online-learner.js";
import { observationOf } from "../../src/learning/observation-of.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import { registerTestOnlineRouter, TestOnlineRouter } from "./test-online-router.js";

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

test("two instances learning into one store fold each other's updates in log order: both hold the log's state", async () => {
  const store = createMemoryStore();
  const announcements = createLocalBroadcast();
  const config = learningConfigSchema.parse({});
  const instances = [0, 1].map(() => {
    const router = new TestOnlineRouter(0.1, models);
    return { router, learner: createOnlineLearner({ router, repository: store.learning, config, storeText: false, seq: 0, updates: 0, announcements }) };
  });
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
