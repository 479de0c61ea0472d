import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../../src/core/random.js";
import { createBanditRouter } from "../../../src/routers/bandit/index.js";
import { routerTrainerFor } from "../../../src/routers/create-router-trainer.js";
import { DIMENSION, MODELS, inputOf, twoFamilySet } from "../learned-routers-fixture.js";

const stream = twoFamilySet({ count: 700, seed: 11, sparse: true });

/**
 * Incumbents answer right 60 % of the time at 0.01 USD; at step 200 a dearer model (0.1 USD) arrives that
 * answers right 95 % of the time — but its first two answers fail. At wtp 1 it is worth 0.85 against the
 * incumbents' 0.59, so it should carry the traffic once measured. Returns its share in steps [from, to).
 */
function newModelShare(params: Record<string, unknown>, from: number, to: number): number {
  const router = createBanditRouter({ kind: "linucb", params, models: MODELS, inputDimension: DIMENSION, seed: 3, resolve: routerTrainerFor });
  const random = createRandom(5);
  const rewards = createRandom(9);
  let newServed = 0;
  let share = 0;
  for (let t = 0; t < to; t++) {
    if (t === 200) router.addModel("model-new");
    const input = inputOf(stream.set, t);
    const candidates = router.models.map((model) => ({ model, predictedQuality: 0, predictedCostUsd: model === "model-new" ? 0.1 : 0.01 }));
    const choice = router.choose(input, candidates, 1, random);
    let reward: number;
    if (choice.model === "model-new") reward = newServed++ < 2 ? 0 : rewards() < 0.95 ? 1 : 0;
    else reward = rewards() < 0.6 ? 1 : 0;
    router.update({ input, model: choice.model, reward });
    if (t >= from && choice.model === "model-new") share += 1 / (to - from);
  }
  return share;
}

test("a new model whose first answers fail is not locked out: optimistic prior 1 held by newModelPriorWeight", () => {
  const share = newModelShare({}, 300, 400);
  assert.ok(share >= 0.8, `default prior: the new model's share in steps 300–400 is ${share}`);
  // The previous default (prior = the best incumbent's estimate, held by a cold λ = 1) locks it out after its two failures.
  const locked = newModelShare({ newModelPrior: "best", newModelPriorWeight: 1 }, 300, 400);
  assert.ok(locked <= 0.2, `best-incumbent prior with weight 1: share ${locked}`);
});
