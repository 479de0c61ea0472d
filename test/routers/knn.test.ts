import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { knnRouterTrainer, topK } from "../../src/routers/knn/index.js";
import { predictAll } from "../../src/training/predict.js";
import { prepareTraining } from "../../src/training/training-set.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const train = syntheticRoutingExamples(200, 1, "train");
const test_ = syntheticRoutingExamples(60, 2, "test");

test("topK returns the largest values in order and honours the exclusion", () => {
  const found = topK(Float32Array.from([0.1, 0.9, 0.5, 0.7, 0.3]), 3, 1);
  assert.deepEqual([...found.indices], [3, 2, 4]);
  assert.equal(found.count, 3);
  assert.deepEqual([...found.similarities].map((x) => Math.round(x * 10) / 10), [0.7, 0.5, 0.3]);
});

test("knn learns which model answers which kind of prompt, on held-out prompts", async () => {
  const prepared = await prepareTraining(train, ["small", "big"]);
  const router = knnRouterTrainer.train(prepared.data, { seed: 1, params: { k: 10, power: 1, priorWeight: 1 } });
  const testPrepared = await prepareTraining(test_, ["small", "big"]);
  // Embed the test prompts with the TRAINING embedder (as the engine does).
  const embeddings = await prepared.embedder.embed(test_.map((e) => e.prompt));
  const predictions = predictAll(router, prepared.costModel, { ...testPrepared.data, embeddings, sparseEmbeddings: undefined });
  let mathGap = 0;
  let chatGap = 0;
  test_.forEach((example, i) => {
    const [small, big] = predictions.quality[i]!;
    if (example.task === "math") mathGap += big! - small!;
    else chatGap += Math.abs(big! - small!);
  });
  assert.ok(mathGap / 30 > 0.5, `big should be predicted much better on math (gap ${mathGap / 30})`);
  assert.ok(chatGap / 30 < 0.25, `models should be predicted alike on chat (gap ${chatGap / 30})`);
});

test("tuning is deterministic and the state round-trips to identical predictions", async () => {
  const prepared = await prepareTraining(train, ["small", "big"]);
  const a = knnRouterTrainer.train(prepared.data, { seed: 7 });
  const b = knnRouterTrainer.train(prepared.data, { seed: 7 });
  assert.deepEqual(a.toState(), b.toState());
  const copy = knnRouterTrainer.fromState(JSON.parse(JSON.stringify(a.toState())));
  const input = { text: "solve the integral", embedding: (await prepared.embedder.embed(["solve the integral"]))[0]!, promptTokens: 5 };
  assert.deepEqual([...copy.predictQuality(input)], [...a.predictQuality(input)]);
});

test("invalid parameters and corrupt state are clear errors", async () => {
  const prepared = await prepareTraining(train.slice(0, 30), ["small", "big"]);
  assert.throws(() => knnRouterTrainer.train(prepared.data, { seed: 1, params: { k: -3 } }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /k/.test(error.message));
  assert.throws(() => knnRouterTrainer.train(prepared.data, { seed: 1, params: { kk: 3 } }), /knn parameter/);
  assert.throws(() => knnRouterTrainer.fromState({ kind: "knn", models: ["a"], params: { k: 1, power: 1, minSimilarity: 0, priorWeight: 0 }, count: 2, dimension: 4, scores: "AAAA" }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
});
