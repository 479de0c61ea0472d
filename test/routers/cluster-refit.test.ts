import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { ClusterRouter, clusterRouterTrainer, refitClusterRouter } from "../../src/routers/cluster/index.js";
import type { RouteInput } from "../../src/routers/router.js";
import { subsetTrainingSet } from "../../src/training/training-set.js";
import { familyAccuracy, twoFamilySet } from "./learned-routers-fixture.js";

const train = twoFamilySet({ count: 400, seed: 1, sparse: true });
const heldOut = twoFamilySet({ count: 200, seed: 2, sparse: true });
const params = { clusters: 6 };

interface State {
  centroids: unknown;
  quality: unknown;
  modelMeans: number[];
  training: { examples: number; refittedQuality?: boolean };
}

test("refitClusterRouter on the reference's own training data reproduces its per-cluster quality exactly", () => {
  const reference = clusterRouterTrainer.train(train.set, { seed: 3, params }) as ClusterRouter;
  const refitted = refitClusterRouter(reference, train.set);
  const a = reference.toState() as unknown as State;
  const b = refitted.toState() as unknown as State;
  assert.deepEqual(b.centroids, a.centroids);
  assert.deepEqual(b.quality, a.quality);
  assert.deepEqual(b.modelMeans, a.modelMeans);
  assert.equal(b.training.refittedQuality, true);
});

test("refitClusterRouter keeps the centroids and re-estimates quality from the new rows only", () => {
  const reference = clusterRouterTrainer.train(train.set, { seed: 3, params }) as ClusterRouter;
  // Rows of family 0 only (even rows): model-b's quality there is low everywhere.
  const familyZero = subsetTrainingSet(train.set, Array.from({ length: 200 }, (_, i) => 2 * i));
  const refitted = refitClusterRouter(reference, familyZero);
  const a = reference.toState() as unknown as State;
  const b = refitted.toState() as unknown as State;
  assert.deepEqual(b.centroids, a.centroids, "no k-means: same centroids");
  assert.notDeepEqual(b.quality, a.quality);
  assert.equal(b.training.examples, 200);
  assert.ok(b.modelMeans[1]! < 0.3, `model-b mean on family 0 is ${b.modelMeans[1]}`);
  const predict = (input: RouteInput) => refitted.predictQuality(input);
  assert.ok(familyAccuracy(predict, heldOut) < familyAccuracy((input) => reference.predictQuality(input), heldOut), "it no longer knows family 1");
  assert.throws(() => refitClusterRouter(reference, twoFamilySet({ count: 50, seed: 4, sparse: true, models: ["model-a"] }).set), (error: unknown) => error instanceof SwitchyardError && /models differ/.test(error.message));
});
