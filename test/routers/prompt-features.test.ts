import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { linearRouterTrainer } from "../../src/routers/linear/index.js";
import { familyAccuracy, inputOf, twoFamilySet } from "./learned-routers-fixture.js";

// The embeddings are alike for both families; only the prompt text (numbers and operators vs words) separates them.
const train = twoFamilySet({ count: 400, seed: 1, signal: "text" });
const heldOut = twoFamilySet({ count: 200, seed: 2, signal: "text" });

test("linear with promptFeatures routes on what only the prompt text shows; without them it cannot", () => {
  const plain = linearRouterTrainer.train(train.set, { seed: 3 });
  const withFeatures = linearRouterTrainer.train(train.set, { seed: 3, params: { promptFeatures: true } });
  const plainAccuracy = familyAccuracy((input) => plain.predictQuality(input), heldOut);
  const featureAccuracy = familyAccuracy((input) => withFeatures.predictQuality(input), heldOut);
  assert.ok(plainAccuracy < 0.7, `without features: ${plainAccuracy}`);
  assert.ok(featureAccuracy >= 0.95, `with features: ${featureAccuracy}`);
});

test("linear with promptFeatures rebuilds identically from its JSON state", () => {
  const router = linearRouterTrainer.train(train.set, { seed: 4, params: { promptFeatures: true } });
  const json = JSON.stringify(router.toState());
  const rebuilt = linearRouterTrainer.fromState(JSON.parse(json));
  assert.equal(JSON.stringify(rebuilt.toState()), json);
  for (let i = 0; i < 50; i++) assert.deepEqual(rebuilt.predictQuality(inputOf(heldOut.set, i)), router.predictQuality(inputOf(heldOut.set, i)));
});

test("linear: a bad promptFeatures param or state is rejected with the field named", () => {
  assert.throws(
    () => linearRouterTrainer.train(train.set, { seed: 1, params: { promptFeatures: "yes" } }),
    (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && error.param === "promptFeatures" && error.message.includes("promptFeatures"),
  );
  const state = linearRouterTrainer.train(train.set, { seed: 1, params: { promptFeatures: true } }).toState() as unknown as Record<string, unknown>;
  const broken = structuredClone(state);
  const holder = broken["features"] as { promptFeatures: { mean: number[] } };
  holder.promptFeatures.mean = [0, 1];
  assert.throws(
    () => linearRouterTrainer.fromState(broken as never),
    (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact" && error.message.includes("promptFeatures"),
  );
});
