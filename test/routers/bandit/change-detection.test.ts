import assert from "node:assert/strict";
import { test } from "node:test";
import { rankByObjective } from "../../../src/core/objective.js";
import { SwitchyardError } from "../../../src/core/errors.js";
import { createRandom } from "../../../src/core/random.js";
import { banditParamsSchema, ChangeDetector, createBanditRouter } from "../../../src/routers/bandit/index.js";
import { routerTrainerFor } from "../../../src/routers/create-router-trainer.js";
import { linearRouterTrainer } from "../../../src/routers/linear/index.js";
import { DIMENSION, MODELS, inputOf, stateOf, twoFamilySet } from "../learned-routers-fixture.js";

const defaults = () => {
  const detection = banditParamsSchema.parse({}).changeDetection;
  if (detection === false) throw new Error("change detection is on by default");
  return detection;
};

test("the CUSUM detector stays quiet on stationary 0/1 errors and alarms soon after a shift", () => {
  const random = createRandom(7);
  for (const p of [0.5, 0.88, 0.15]) {
    const detector = new ChangeDetector(defaults());
    let alarms = 0;
    for (let t = 0; t < 20_000; t++) if (detector.observe((random() < p ? 1 : 0) - p)) alarms++;
    assert.ok(alarms <= 2, `p = ${p}: ${alarms} false alarms in 20,000 stationary observations`);
  }
  // Quality 0.88 → 0.44 (the drift scenario's halving): the errors against the old mean have mean −0.44.
  const delays: number[] = [];
  for (let run = 0; run < 50; run++) {
    const detector = new ChangeDetector(defaults());
    for (let t = 0; t < 200; t++) detector.observe((random() < 0.88 ? 1 : 0) - 0.88);
    let delay = 0;
    while (!detector.observe((random() < 0.44 ? 1 : 0) - 0.88)) delay++;
    delays.push(delay);
  }
  delays.sort((a, b) => a - b);
  assert.ok(delays[25]! <= 30 && delays[49]! <= 60, `delays after the shift: median ${delays[25]}, max ${delays[49]}`);
});

test("the detector ignores an arm's first `warmup` observations and restarts after an alarm", () => {
  const detector = new ChangeDetector({ drift: 0.1, threshold: 1, warmup: 5 });
  for (let t = 0; t < 5; t++) assert.equal(detector.observe(-1), false);
  assert.equal(detector.observe(-1), false); // down = 0.9
  assert.equal(detector.observe(-1), true); // down = 1.8 > 1
  assert.deepEqual(detector.toState(), { up: 0, down: 0, count: 0 });
});

const stream = twoFamilySet({ count: 1600, seed: 21, sparse: true });

/**
 * model-c (the dear all-rounder) answers right 90 % of the time, the others 40 %; at step 600 model-c drops
 * to 20 %. Returns model-c's share before the drop (steps 400–600) and after it (steps 700–800), and the router.
 */
function degradedShare(params: Record<string, unknown>) {
  const router = createBanditRouter({ kind: "linucb", params, models: MODELS, inputDimension: DIMENSION, seed: 3, resolve: routerTrainerFor });
  const random = createRandom(5);
  const rewards = createRandom(9);
  let before = 0;
  let after = 0;
  for (let t = 0; t < 800; t++) {
    const input = inputOf(stream.set, t);
    const candidates = router.models.map((model) => ({ model, predictedQuality: 0, predictedCostUsd: model === "model-c" ? 0.1 : 0.01 }));
    const choice = router.choose(input, candidates, 1, random);
    const p = choice.model === "model-c" ? (t < 600 ? 0.9 : 0.2) : 0.4;
    router.update({ input, model: choice.model, reward: rewards() < p ? 1 : 0 });
    if (choice.model === "model-c" && t >= 400 && t < 600) before += 1 / 200;
    if (choice.model === "model-c" && t >= 700) after += 1 / 100;
  }
  return { before, after, router };
}

test("with a long memory, the change detector moves traffic off a degraded model; without it the traffic stays", () => {
  const detected = degradedShare({ discount: 0.999 });
  assert.ok(detected.before >= 0.8, `model-c's share before the drop: ${detected.before}`);
  assert.ok(detected.after <= 0.2, `model-c's share 100–200 steps after the drop, detection on: ${detected.after}`);
  assert.ok(detected.router.restarts >= 1);
  const blind = degradedShare({ discount: 0.999, changeDetection: false });
  assert.ok(blind.after >= 0.5, `model-c's share 100–200 steps after the drop, detection off: ${blind.after}`);
  // The restart is part of the state: a router rebuilt from it has the same arms and detectors.
  const state = stateOf<{ restarted: string[]; detectors: Record<string, { count: number }> }>(detected.router);
  assert.ok(state.restarted.includes("model-c"));
  assert.match(detected.router.explain(inputOf(stream.set, 0)).find((line) => line.startsWith("model-c"))!, /restarted by the change detector/);
  const rebuilt = routerTrainerFor("linucb").fromState(detected.router.toState());
  assert.deepEqual(stateOf(rebuilt), stateOf(detected.router));
});

test("a gated warm bandit leaves a prior choice that started failing soon after the detector restarts its arm", () => {
  const history = twoFamilySet({ count: 300, seed: 21, sparse: true });
  const flipping = twoFamilySet({ count: 700, seed: 11, sparse: true });
  const offline = linearRouterTrainer.train(history.set, { seed: 1 });
  const costs = [1e-4, 2e-4, 3e-4];
  const wtp = 0.002;
  /** Share of steps 450–550 (50–150 after the prior's choice starts failing) on which the bandit left that choice. */
  const leftAfterFlip = (params: Record<string, unknown>) => {
    const router = createBanditRouter({ kind: "linucb", params, models: MODELS, inputDimension: DIMENSION, seed: 3, priorRouter: offline.toState(), resolve: routerTrainerFor });
    const random = createRandom(5);
    let left = 0;
    for (let t = 0; t < 550; t++) {
      const input = inputOf(flipping.set, t);
      const quality = offline.predictQuality(input);
      const candidates = MODELS.map((model, j) => ({ model, predictedQuality: quality[j]!, predictedCostUsd: costs[j]! }));
      const offlineChoice = rankByObjective(candidates, wtp)[0]!.model;
      const choice = router.choose(input, candidates, wtp, random);
      const reward = t >= 400 && choice.model === offlineChoice ? 0 : flipping.set.examples[t]!.outcomes[choice.model]!.score;
      if (t >= 450 && choice.model !== offlineChoice) left++;
      router.update({ input, model: choice.model, reward });
    }
    return left / 100;
  };
  const detected = leftAfterFlip({ conservative: 0.25 });
  const blind = leftAfterFlip({ conservative: 0.25, changeDetection: false });
  assert.ok(detected >= 0.8, `detection on: left the failing prior choice on ${detected} of steps 450–550`);
  assert.ok(blind < detected - 0.2, `detection off: left it on ${blind} of steps 450–550 (on: ${detected})`);
});

test("changeDetection is validated: garbage is an invalid_config error naming the field; a stored state with a bad detector is refused", () => {
  for (const bad of [{ threshold: -1 }, { drift: 2 }, { warmup: 1.5 }, { tresh: 3 }, "on", true]) {
    assert.throws(
      () => createBanditRouter({ kind: "linucb", params: { changeDetection: bad }, models: MODELS, inputDimension: DIMENSION, seed: 3 }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /changeDetection/.test(error.message),
      `changeDetection ${JSON.stringify(bad)}`,
    );
  }
  const router = createBanditRouter({ kind: "linucb", params: { changeDetection: { threshold: 10 } }, models: MODELS, inputDimension: DIMENSION, seed: 3 });
  const state = router.toState() as unknown as { params: { changeDetection: unknown }; detectors: Record<string, unknown> };
  assert.deepEqual(state.params.changeDetection, { drift: 0.125, threshold: 10, warmup: 30 });
  const corrupt = { ...state, detectors: { "model-a": { up: -1, down: 0, count: 0 } } };
  assert.throws(
    () => routerTrainerFor("linucb").fromState(corrupt as never),
    (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact" && /detectors/.test(error.message),
  );
});
