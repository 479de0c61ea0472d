import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { mlpRouterTrainer } from "../../src/routers/mlp/index.js";
import type { RouteInput } from "../../src/routers/router.js";
import { familyAccuracy, stateOf, inputOf, meanPrediction, twoFamilySet } from "./learned-routers-fixture.js";

const train = twoFamilySet({ count: 400, seed: 1, sparse: true });
const heldOut = twoFamilySet({ count: 200, seed: 2, sparse: true });
const params = { hiddenSize: 32, maxEpochs: 30, batchSize: 32 };

test("mlp learns which model is good on which family and predicts it on held-out prompts", () => {
  const router = mlpRouterTrainer.train(train.set, { seed: 3, params });
  const predict = (input: RouteInput) => router.predictQuality(input);
  assert.ok(familyAccuracy(predict, heldOut) >= 0.95, `family accuracy ${familyAccuracy(predict, heldOut)}`);
  assert.ok(meanPrediction(predict, heldOut, "model-a", 0) > 0.7);
  assert.ok(meanPrediction(predict, heldOut, "model-a", 1) < 0.35);
  assert.ok(meanPrediction(predict, heldOut, "model-b", 1) > 0.7);
  const training = stateOf<{ training: { epochsRun: number; bestEpoch: number; validationExamples: number } }>(router).training;
  assert.equal(training.validationExamples, 40);
  assert.ok(training.bestEpoch >= 1 && training.bestEpoch <= training.epochsRun);
});

test("mlp is deterministic under the seed and rebuilds identically from its JSON state", () => {
  const first = mlpRouterTrainer.train(train.set, { seed: 5, params });
  const json = JSON.stringify(first.toState());
  assert.equal(JSON.stringify(mlpRouterTrainer.train(train.set, { seed: 5, params }).toState()), json);
  assert.notEqual(JSON.stringify(mlpRouterTrainer.train(train.set, { seed: 6, params }).toState()), json);
  const rebuilt = mlpRouterTrainer.fromState(JSON.parse(json));
  assert.equal(JSON.stringify(rebuilt.toState()), json);
  for (let i = 0; i < heldOut.set.examples.length; i++) assert.deepEqual(rebuilt.predictQuality(inputOf(heldOut.set, i)), first.predictQuality(inputOf(heldOut.set, i)));
  // Dense-only input predicts exactly what the sparse form does.
  const dense = { ...inputOf(heldOut.set, 0), sparseEmbedding: undefined };
  assert.deepEqual(first.predictQuality(dense), first.predictQuality(inputOf(heldOut.set, 0)));
});

test("mlp stops early when the validation loss stops improving", () => {
  const router = mlpRouterTrainer.train(train.set, { seed: 3, params: { hiddenSize: 32, batchSize: 32, maxEpochs: 500, patience: 2, learningRate: 0.01 } });
  const training = stateOf<{ training: { epochsRun: number; bestEpoch: number } }>(router).training;
  assert.ok(training.epochsRun < 500, `ran ${training.epochsRun} epochs`);
  assert.equal(training.epochsRun, training.bestEpoch + 2);
  // A small work budget caps the epochs (training time is bounded by counted work, not the clock).
  const capped = mlpRouterTrainer.train(train.set, { seed: 3, params: { ...params, workBudget: 1 } });
  assert.deepEqual(stateOf<{ training: { epochLimit: number; epochsRun: number } }>(capped).training.epochsRun, 1);
  assert.equal(stateOf<{ training: { epochLimit: number } }>(capped).training.epochLimit, 1);
});

test("invalid mlp params and state are rejected with a named field", () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ hiddenSize: 0 }, "hiddenSize"],
    [{ dropout: 1 }, "dropout"],
    [{ learningRate: "fast" }, "learningRate"],
    [{ batchSize: 1.5 }, "batchSize"],
    [{ layers: 2 }, "layers"],
  ];
  for (const [bad, name] of cases) {
    assert.throws(
      () => mlpRouterTrainer.train(train.set, { seed: 1, params: bad }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && error.param === name && error.message.includes(name),
      JSON.stringify(bad),
    );
  }
  const state = mlpRouterTrainer.train(train.set, { seed: 1, params: { hiddenSize: 8, maxEpochs: 1 } }).toState();
  assert.throws(() => mlpRouterTrainer.fromState({ ...state, hiddenBias: [0] }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
});
