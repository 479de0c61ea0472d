import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { addModel, ClusterRouter, clusterRouterTrainer } from "../../src/routers/cluster/index.js";
import type { RouteInput } from "../../src/routers/router.js";
import { familyAccuracy, stateOf, inputOf, meanPrediction, twoFamilySet } from "./learned-routers-fixture.js";

const train = twoFamilySet({ count: 400, seed: 1, sparse: true });
const heldOut = twoFamilySet({ count: 200, seed: 2, sparse: true });
const params = { clusters: 6 };

test("cluster learns which model is good on which family and predicts it on held-out prompts", () => {
  for (const assignment of ["soft", "hard"] as const) {
    const router = clusterRouterTrainer.train(train.set, { seed: 3, params: { ...params, assignment } });
    const predict = (input: RouteInput) => router.predictQuality(input);
    assert.ok(familyAccuracy(predict, heldOut) >= 0.95, `${assignment}: family accuracy ${familyAccuracy(predict, heldOut)}`);
    assert.ok(meanPrediction(predict, heldOut, "model-a", 0) > 0.75);
    assert.ok(meanPrediction(predict, heldOut, "model-a", 1) < 0.3);
    const weights = (router as ClusterRouter).clusterWeightsOf(inputOf(heldOut.set, 0));
    assert.ok(Math.abs(weights.reduce((sum, w) => sum + w, 0) - 1) < 1e-9);
    assert.equal(weights.filter((w) => w > 0).length <= (assignment === "hard" ? 1 : 3), true);
  }
});

test("shrinkage pulls every cluster's quality toward the model's mean", () => {
  const loose = clusterRouterTrainer.train(train.set, { seed: 3, params: { ...params, shrinkage: 0 } });
  const tight = clusterRouterTrainer.train(train.set, { seed: 3, params: { ...params, shrinkage: 1e6 } });
  const predict = (router: typeof loose) => (input: RouteInput) => router.predictQuality(input);
  const spread = (router: typeof loose) => meanPrediction(predict(router), heldOut, "model-a", 0) - meanPrediction(predict(router), heldOut, "model-a", 1);
  assert.ok(spread(loose) > 0.6);
  assert.ok(Math.abs(spread(tight)) < 0.01);
});

test("an unseen model is added from anchor scores without retraining", () => {
  const withoutB = twoFamilySet({ count: 400, seed: 1, sparse: true, models: ["model-a", "model-c"] });
  const router = clusterRouterTrainer.train(withoutB.set, { seed: 3, params }) as ClusterRouter;
  // model-b's scores on 100 training prompts are the anchors.
  const anchors = Array.from({ length: 100 }, (_, i) => ({ embedding: train.set.embeddings[i]!, sparseEmbedding: train.set.sparseEmbeddings?.[i], score: train.set.examples[i]!.outcomes["model-b"]!.score }));
  const wider = addModel(router, { model: "model-b", anchors });
  assert.deepEqual(wider.models, ["model-a", "model-c", "model-b"]);
  const predict = (input: RouteInput) => wider.predictQuality(input);
  const models = wider.models;
  assert.ok(familyAccuracy(predict, heldOut, models) >= 0.95, `family accuracy ${familyAccuracy(predict, heldOut, models)}`);
  const bOnFamily1 = meanPrediction(predict, heldOut, "model-b", 1, models);
  const bOnFamily0 = meanPrediction(predict, heldOut, "model-b", 0, models);
  // The default prior (cluster difficulty for the existing models) is wrong-footed here on purpose: model-b
  // is strong exactly where the others are weak, so its estimates sit between prior and anchors.
  assert.ok(bOnFamily1 > 0.6 && bOnFamily0 < bOnFamily1 - 0.2, `model-b: ${bOnFamily0} on family 0, ${bOnFamily1} on family 1`);
  // The existing models' predictions do not move, and the state round-trips.
  for (let i = 0; i < 20; i++) {
    const before = router.predictQuality(inputOf(heldOut.set, i));
    const after = wider.predictQuality(inputOf(heldOut.set, i));
    assert.deepEqual(after.subarray(0, 2), before);
  }
  const json = JSON.stringify(wider.toState());
  const rebuilt = clusterRouterTrainer.fromState(JSON.parse(json));
  assert.deepEqual(rebuilt.predictQuality(inputOf(heldOut.set, 3)), wider.predictQuality(inputOf(heldOut.set, 3)));
  assert.deepEqual(stateOf<{ addedModels: unknown }>(rebuilt).addedModels, [{ model: "model-b", anchors: 100, shrinkage: 10, prior: "cluster-difficulty" }]);
  assert.throws(() => addModel(wider, { model: "model-b", anchors }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && error.param === "model");
  assert.throws(() => addModel(router, { model: "model-x", anchors: [] }), (error: unknown) => error instanceof SwitchyardError && error.param === "anchors");
  assert.throws(() => addModel(router, { model: "model-x", anchors, prior: "flat" as "anchor-mean" }), (error: unknown) => error instanceof SwitchyardError && error.param === "prior");
  // With the plain anchor-mean prior the pattern is still learned from the anchors.
  const flat = addModel(router, { model: "model-b", anchors, prior: "anchor-mean" });
  const predictFlat = (input: RouteInput) => flat.predictQuality(input);
  assert.ok(familyAccuracy(predictFlat, heldOut, models) >= 0.95, "anchor-mean prior: family accuracy");
  assert.ok(meanPrediction(predictFlat, heldOut, "model-b", 1, models) > 0.7, "anchor-mean prior: model-b on family 1");
  assert.ok(meanPrediction(predictFlat, heldOut, "model-b", 0, models) < 0.35, "anchor-mean prior: model-b on family 0");
});

test("cluster is deterministic under the seed and rebuilds identically from its JSON state", () => {
  const first = clusterRouterTrainer.train(train.set, { seed: 5, params });
  const json = JSON.stringify(first.toState());
  assert.equal(JSON.stringify(clusterRouterTrainer.train(train.set, { seed: 5, params }).toState()), json);
  const rebuilt = clusterRouterTrainer.fromState(JSON.parse(json));
  assert.equal(JSON.stringify(rebuilt.toState()), json);
  for (let i = 0; i < heldOut.set.examples.length; i++) assert.deepEqual(rebuilt.predictQuality(inputOf(heldOut.set, i)), first.predictQuality(inputOf(heldOut.set, i)));
  // Fitting k-means on a seeded sample still assigns every prompt.
  const sampled = clusterRouterTrainer.train(train.set, { seed: 5, params: { ...params, fitSampleSize: 100 } });
  assert.equal(stateOf<{ training: { fittedOn: number } }>(sampled).training.fittedOn, 100);
  assert.ok(familyAccuracy((input) => sampled.predictQuality(input), heldOut) >= 0.95);
});

test("invalid cluster params and state are rejected with a named field", () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ clusters: 0 }, "clusters"],
    [{ shrinkage: -1 }, "shrinkage"],
    [{ assignment: "fuzzy" }, "assignment"],
    [{ temperature: 0 }, "temperature"],
    [{ k: 5 }, "k"],
  ];
  for (const [bad, name] of cases) {
    assert.throws(
      () => clusterRouterTrainer.train(train.set, { seed: 1, params: bad }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && error.param === name && error.message.includes(name),
      JSON.stringify(bad),
    );
  }
  const state = clusterRouterTrainer.train(train.set, { seed: 1, params }).toState();
  assert.throws(() => clusterRouterTrainer.fromState({ ...state, centroids: [] }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
});
