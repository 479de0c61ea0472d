import assert from "node:assert/strict";
import { test } from "node:test";
import { rankByObjective } from "../../../src/core/objective.js";
import { createRandom } from "../../../src/core/random.js";
import { SwitchyardError } from "../../../src/core/errors.js";
import { createBanditRouter } from "../../../src/routers/bandit/index.js";
import type { ArmChoice, ArmScores } from "../../../src/routers/bandit/choose-arm.js";
import { gateConservatively } from "../../../src/routers/bandit/conservative-choice.js";
import { routerTrainerFor } from "../../../src/routers/create-router-trainer.js";
import { linearRouterTrainer } from "../../../src/routers/linear/index.js";
import { DIMENSION, MODELS, inputOf, twoFamilySet } from "../learned-routers-fixture.js";

const scores = (mean: number[], width: number[], costUsd: number[]): ArmScores => ({
  models: mean.map((_, i) => `m${i}`),
  mean: Float64Array.from(mean),
  width: Float64Array.from(width),
  costUsd: Float64Array.from(costUsd),
});
const choiceOf = (index: number, propensities: number[]): ArmChoice => ({ index, propensity: propensities[index]!, scoredQuality: new Float64Array(propensities.length), propensities: Float64Array.from(propensities) });

test("the gate plays the prior's choice unless the candidate's lower bound beats the baseline's upper bound", () => {
  // Prior: m0 best (0.8 vs 0.7 at equal cost) → m0 is the baseline.
  const prior = [0.8, 0.7, 0.5];
  const noExempt = [false, false, false];
  // m1's posterior mean 0.9 ± 0.1·β: with β = 1 its lower bound 0.8 does not beat m0's upper bound 0.8 + 0.05.
  const wide = scores([0.8, 0.9, 0.5], [0.05, 0.1, 0.1], [0, 0, 0]);
  const refused = gateConservatively(choiceOf(1, [0, 1, 0]), wide, 1, { beta: 1, priorQuality: prior, exempt: noExempt, explore: 0 }, createRandom(1));
  assert.equal(refused.index, 0);
  assert.deepEqual(Array.from(refused.propensities), [1, 0, 0]);
  // Narrower evidence: 0.9 − 0.02 > 0.8 + 0.02 → the candidate is played.
  const narrow = scores([0.8, 0.9, 0.5], [0.02, 0.02, 0.1], [0, 0, 0]);
  assert.equal(gateConservatively(choiceOf(1, [0, 1, 0]), narrow, 1, { beta: 1, priorQuality: prior, exempt: noExempt, explore: 0 }, createRandom(1)).index, 1);
  // Cost counts in the utility: the same evidence does not justify a candidate 0.2 USD dearer at wtp 1.
  const dear = scores([0.8, 0.9, 0.5], [0.02, 0.02, 0.1], [0, 0.2, 0]);
  assert.equal(gateConservatively(choiceOf(1, [0, 1, 0]), dear, 1, { beta: 1, priorQuality: prior, exempt: noExempt, explore: 0 }, createRandom(1)).index, 0);
  // A model the prior does not know (added online) is not gated.
  assert.equal(gateConservatively(choiceOf(2, [0, 0, 1]), wide, 1, { beta: 1, priorQuality: prior, exempt: [false, false, true], explore: 0 }, createRandom(1)).index, 2);
});

test("the gate keeps propensities exact: refused candidates' probability moves to the baseline", () => {
  const gated = gateConservatively(choiceOf(2, [0.5, 0.3, 0.2]), scores([0.8, 0.9, 0.5], [0.05, 0.01, 0.1], [0, 0, 0]), 1, {
    beta: 1,
    priorQuality: [0.8, 0.7, 0.5],
    exempt: [false, false, false],
    explore: 0,
  }, createRandom(1));
  // m1 passes (0.89 > 0.85), m2 does not (0.4 < 0.85): its 0.2 goes to m0, and the drawn m2 becomes m0.
  assert.equal(gated.index, 0);
  assert.ok(Math.abs(gated.propensities[0]! - 0.7) < 1e-12 && Math.abs(gated.propensities[1]! - 0.3) < 1e-12 && gated.propensities[2] === 0);
  assert.equal(gated.propensity, gated.propensities[0]);
});

test("a conservative warm bandit routes like its offline prior on feedback that agrees with it, and leaves it where feedback consistently disagrees", () => {
  const history = twoFamilySet({ count: 300, seed: 21, sparse: true });
  const stream = twoFamilySet({ count: 1000, seed: 11, sparse: true });
  const offline = linearRouterTrainer.train(history.set, { seed: 1 });
  const costs = [1e-4, 2e-4, 3e-4];
  const wtp = 0.002;
  const random = createRandom(5);
  for (const kind of ["linucb", "thompson"] as const) {
    const router = createBanditRouter({ kind, params: { conservative: 0.25 }, models: MODELS, inputDimension: DIMENSION, seed: 3, priorRouter: offline.toState(), resolve: routerTrainerFor });
    let agreeing = 0;
    let leftAfterFlip = 0;
    for (let t = 0; t < 1000; t++) {
      const input = inputOf(stream.set, t);
      const quality = offline.predictQuality(input);
      const candidates = MODELS.map((model, j) => ({ model, predictedQuality: quality[j]!, predictedCostUsd: costs[j]! }));
      const offlineChoice = rankByObjective(candidates, wtp)[0]!.model;
      const choice = router.choose(input, candidates, wtp, random);
      // From step 400 on the world changes: the offline router's choice always fails; the others answer as before.
      const reward = t >= 400 && choice.model === offlineChoice ? 0 : stream.set.examples[t]!.outcomes[choice.model]!.score;
      if (t < 400 && choice.model === offlineChoice) agreeing++;
      if (t >= 900 && choice.model !== offlineChoice) leftAfterFlip++;
      router.update({ input, model: choice.model, reward, costUsd: costs[MODELS.indexOf(choice.model as (typeof MODELS)[number])]!, predictedCostUsd: costs[MODELS.indexOf(choice.model as (typeof MODELS)[number])]! });
    }
    assert.ok(agreeing / 400 >= 0.98, `${kind}: the offline router's choice on ${agreeing} of 400 agreeing steps`);
    assert.ok(leftAfterFlip / 100 >= 0.6, `${kind}: left the failing prior choice on ${leftAfterFlip} of the last 100 steps`);
  }
});

test("conservative is validated and stored with the params", () => {
  assert.throws(
    () => createBanditRouter({ kind: "linucb", params: { conservative: -1 }, models: MODELS, inputDimension: DIMENSION, seed: 3 }),
    (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /conservative/.test(error.message),
  );
  const router = createBanditRouter({ kind: "linucb", params: { conservative: 0.5 }, models: MODELS, inputDimension: DIMENSION, seed: 3 });
  assert.equal((router.toState() as unknown as { params: { conservative: unknown } }).params.conservative, 0.5);
});
