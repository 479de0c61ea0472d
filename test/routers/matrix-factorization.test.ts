import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { matrixFactorizationRouterTrainer, trainMatrixFactorizationFromPreferences, type Preference } from "../../src/routers/matrix-factorization/index.js";
import type { RouteInput } from "../../src/routers/router.js";
import { familyAccuracy, stateOf, inputOf, meanPrediction, MODELS, twoFamilySet } from "./learned-routers-fixture.js";

const train = twoFamilySet({ count: 400, seed: 1, sparse: true });
const heldOut = twoFamilySet({ count: 200, seed: 2, sparse: true });
const params = { dimension: 16, maxEpochs: 40 };

/** Every pair of models whose scores differ on a prompt, the better one as winner. */
function preferencesOf(rows: typeof train): Preference[] {
  const preferences: Preference[] = [];
  rows.set.examples.forEach((example, promptIndex) => {
    for (const a of MODELS) {
      for (const b of MODELS) {
        if (example.outcomes[a]!.score > example.outcomes[b]!.score) preferences.push({ promptIndex, winner: a, loser: b });
      }
    }
  });
  return preferences;
}

test("matrix factorisation (pointwise) learns which model is good on which family", () => {
  const router = matrixFactorizationRouterTrainer.train(train.set, { seed: 3, params });
  const predict = (input: RouteInput) => router.predictQuality(input);
  assert.ok(familyAccuracy(predict, heldOut) >= 0.95, `family accuracy ${familyAccuracy(predict, heldOut)}`);
  assert.ok(meanPrediction(predict, heldOut, "model-a", 0) > 0.7);
  assert.ok(meanPrediction(predict, heldOut, "model-a", 1) < 0.35);
  assert.equal(stateOf<{ objective: string }>(router).objective, "pointwise");
});

test("matrix factorisation trained from pairwise preferences derived from pointwise scores recovers the ranking", () => {
  const preferences = preferencesOf(train);
  const router = trainMatrixFactorizationFromPreferences({ embeddings: train.set.embeddings, sparseEmbeddings: train.set.sparseEmbeddings, models: MODELS, preferences }, { seed: 3, params });
  assert.equal(router.objective, "pairwise");
  const predict = (input: RouteInput) => router.predictQuality(input);
  assert.ok(familyAccuracy(predict, heldOut) >= 0.95, `family accuracy ${familyAccuracy(predict, heldOut)}`);
  // Full ranking per family: family 0 → a > c > b, family 1 → b > c > a, on most held-out prompts.
  let ordered = 0;
  heldOut.set.examples.forEach((_, i) => {
    const [a, b, c] = router.scores(inputOf(heldOut.set, i));
    if (heldOut.family[i] === 0 ? a! > c! && c! > b! : b! > c! && c! > a!) ordered++;
  });
  assert.ok(ordered / heldOut.set.examples.length >= 0.9, `ordered ${ordered}`);
  const json = JSON.stringify(router.toState());
  const rebuilt = matrixFactorizationRouterTrainer.fromState(JSON.parse(json));
  assert.deepEqual(rebuilt.predictQuality(inputOf(heldOut.set, 0)), router.predictQuality(inputOf(heldOut.set, 0)));
  assert.equal(JSON.stringify(trainMatrixFactorizationFromPreferences({ embeddings: train.set.embeddings, models: MODELS, preferences }, { seed: 3, params }).toState()), json);
});

test("matrix factorisation is deterministic under the seed and rebuilds identically from its JSON state", () => {
  const first = matrixFactorizationRouterTrainer.train(train.set, { seed: 5, params });
  const json = JSON.stringify(first.toState());
  assert.equal(JSON.stringify(matrixFactorizationRouterTrainer.train(train.set, { seed: 5, params }).toState()), json);
  assert.notEqual(JSON.stringify(matrixFactorizationRouterTrainer.train(train.set, { seed: 6, params }).toState()), json);
  const rebuilt = matrixFactorizationRouterTrainer.fromState(JSON.parse(json));
  assert.equal(JSON.stringify(rebuilt.toState()), json);
  for (let i = 0; i < heldOut.set.examples.length; i++) assert.deepEqual(rebuilt.predictQuality(inputOf(heldOut.set, i)), first.predictQuality(inputOf(heldOut.set, i)));
  const capped = matrixFactorizationRouterTrainer.train(train.set, { seed: 5, params: { ...params, workBudget: 1 } });
  assert.equal(stateOf<{ training: { epochsRun: number } }>(capped).training.epochsRun, 1);
});

test("invalid matrix-factorisation params, preferences and state are rejected with a named field", () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ dimension: 0 }, "dimension"],
    [{ learningRate: 0 }, "learningRate"],
    [{ validationFraction: 0.9 }, "validationFraction"],
    [{ rank: 8 }, "rank"],
  ];
  for (const [bad, name] of cases) {
    assert.throws(
      () => matrixFactorizationRouterTrainer.train(train.set, { seed: 1, params: bad }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && error.param === name && error.message.includes(name),
      JSON.stringify(bad),
    );
  }
  const embeddings = train.set.embeddings;
  const badPreferences: Array<[Preference, string]> = [
    [{ promptIndex: 400, winner: "model-a", loser: "model-b" }, "promptIndex"],
    [{ promptIndex: 0, winner: "model-z", loser: "model-b" }, "winner"],
    [{ promptIndex: 0, winner: "model-a", loser: "model-a" }, "same model"],
  ];
  for (const [preference, text] of badPreferences) {
    assert.throws(
      () => trainMatrixFactorizationFromPreferences({ embeddings, models: MODELS, preferences: [preference] }, { seed: 1 }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_dataset" && error.message.includes(text),
    );
  }
  const state = matrixFactorizationRouterTrainer.train(train.set, { seed: 1, params: { dimension: 4, maxEpochs: 1 } }).toState();
  assert.throws(() => matrixFactorizationRouterTrainer.fromState({ ...state, objective: "listwise" }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
});
