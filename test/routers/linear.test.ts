import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { linearRouterTrainer } from "../../src/routers/linear/index.js";
import { familyAccuracy, stateOf, inputOf, meanPrediction, twoFamilySet } from "./learned-routers-fixture.js";

const train = twoFamilySet({ count: 400, seed: 1, sparse: true });
const heldOut = twoFamilySet({ count: 200, seed: 2, sparse: true });

test("linear learns which model is good on which family and predicts it on held-out prompts", () => {
  const router = linearRouterTrainer.train(train.set, { seed: 3 });
  const predict = (input: Parameters<typeof router.predictQuality>[0]) => router.predictQuality(input);
  assert.ok(familyAccuracy(predict, heldOut) >= 0.95, `family accuracy ${familyAccuracy(predict, heldOut)}`);
  assert.ok(meanPrediction(predict, heldOut, "model-a", 0) > 0.75);
  assert.ok(meanPrediction(predict, heldOut, "model-a", 1) < 0.35);
  assert.ok(meanPrediction(predict, heldOut, "model-b", 1) > 0.75);
  for (let i = 0; i < 20; i++) for (const q of router.predictQuality(inputOf(heldOut.set, i))) assert.ok(q >= 0 && q <= 1);
  // 0/1 scores → logistic links under "auto".
  assert.deepEqual(stateOf<{ links: string[] }>(router).links, ["logistic", "logistic", "logistic"]);
});

test("linear is deterministic and rebuilds identically from its JSON state", () => {
  const first = linearRouterTrainer.train(train.set, { seed: 5 });
  const second = linearRouterTrainer.train(train.set, { seed: 5 });
  const json = JSON.stringify(first.toState());
  assert.equal(json, JSON.stringify(second.toState()));
  const rebuilt = linearRouterTrainer.fromState(JSON.parse(json));
  assert.equal(JSON.stringify(rebuilt.toState()), json);
  for (let i = 0; i < heldOut.set.examples.length; i++) assert.deepEqual(rebuilt.predictQuality(inputOf(heldOut.set, i)), first.predictQuality(inputOf(heldOut.set, i)));
});

test("dense and sparse embeddings give the same linear router", () => {
  const dense = twoFamilySet({ count: 400, seed: 1 });
  assert.equal(JSON.stringify(linearRouterTrainer.train(dense.set, { seed: 3 }).toState()), JSON.stringify(linearRouterTrainer.train(train.set, { seed: 3 }).toState()));
});

test("the learned cost predictor is used only where it beats the default a + b × tokens", () => {
  // Costs exactly linear in prompt tokens: the default is exact, the learned log-cost model cannot win.
  const linearCosts = linearRouterTrainer.train(twoFamilySet({ count: 400, seed: 1, costs: "linear" }).set, { seed: 3 });
  assert.equal(linearCosts.predictCostUsd, undefined);
  assert.equal(stateOf<{ cost: { used: boolean } }>(linearCosts).cost.used, false);
  // model-b writes 40× longer answers on family 1: only the embedding can tell.
  const familyRows = twoFamilySet({ count: 400, seed: 1, costs: "family" });
  const familyCosts = linearRouterTrainer.train(familyRows.set, { seed: 3 });
  const state = stateOf<{ cost: { used: boolean; heldOutMaeUsd: { learned: number; default: number } } }>(familyCosts);
  assert.equal(state.cost.used, true);
  assert.ok(state.cost.heldOutMaeUsd.learned < state.cost.heldOutMaeUsd.default);
  const heldOutFamily = twoFamilySet({ count: 40, seed: 9, costs: "family" });
  const b = 1;
  for (let i = 0; i < 40; i++) {
    const predicted = familyCosts.predictCostUsd!(inputOf(heldOutFamily.set, i))[b]!;
    const truth = heldOutFamily.set.examples[i]!.outcomes["model-b"]!.costUsd;
    assert.ok(Math.abs(predicted - truth) / truth < 0.5, `row ${i}: predicted ${predicted}, true ${truth}`);
  }
  const forced = linearRouterTrainer.train(familyRows.set, { seed: 3, params: { costModel: "default" } });
  assert.equal(forced.predictCostUsd, undefined);
});

test("invalid linear params and state are rejected with a named field", () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ dimension: 0 }, "dimension"],
    [{ l2: -1 }, "l2"],
    [{ link: "probit" }, "link"],
    [{ folds: 1 }, "folds"],
    [{ lambda: 1 }, "lambda"],
  ];
  for (const [params, name] of cases) {
    assert.throws(
      () => linearRouterTrainer.train(train.set, { seed: 1, params }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && error.param === name && error.message.includes(name),
      JSON.stringify(params),
    );
  }
  const state = linearRouterTrainer.train(train.set, { seed: 1, params: { l2: 1 } }).toState();
  assert.throws(() => linearRouterTrainer.fromState({ ...state, weights: [1, 2, 3] }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
  assert.throws(() => linearRouterTrainer.fromState({ kind: "linear" }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
});
