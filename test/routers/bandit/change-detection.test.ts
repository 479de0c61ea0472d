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
  assert.deepEqual(detector.toState(), { up: 0, down: 0, count: 0, upSum: 0, upRun: 0, downSum: 0, downRun: 0 });
});

test("on an alarm the detector's shift estimates the size and sign of the change", () => {
  const random = createRandom(7);
  for (const [before, after] of [
    [0.88, 0.44],
    [0.63, 0.32],
    [0.3, 0.8],
  ] as const) {
    const shifts: number[] = [];
    for (let run = 0; run < 50; run++) {
      const detector = new ChangeDetector(defaults());
      for (let t = 0; t < 200; t++) detector.observe((random() < before ? 1 : 0) - before);
      while (!detector.observe((random() < after ? 1 : 0) - before));
      shifts.push(detector.shift);
    }
    shifts.sort((a, b) => a - b);
    const change = after - before;
    assert.ok(Math.abs(shifts[25]! - change) <= 0.08, `${before} → ${after}: median shift ${shifts[25]} (change ${change})`);
    assert.ok(shifts.every((shift) => Math.sign(shift) === Math.sign(change)), `${before} → ${after}: every shift has the change's sign (${shifts[0]} … ${shifts[49]})`);
  }
  // The runs are part of the state: a detector rebuilt from it alarms with the same shift.
  const detector = new ChangeDetector({ drift: 0.1, threshold: 1, warmup: 0 });
  detector.observe(-0.5);
  const rebuilt = new ChangeDetector({ drift: 0.1, threshold: 1, warmup: 0 }, detector.toState());
  assert.equal(rebuilt.observe(-0.9), true); // down = 0.4 + 0.8 > 1
  assert.equal(rebuilt.shift, -0.7);
});

/**
 * A warm LinUCB (prior: a linear router trained on 300 labelled prompts) serves 700 prompts; from step 300 on,
 * model-a (the prior's choice on family 0) answers everything wrong. Returns the router, model-a's discounted
 * observations and predicted quality on a family-0 prompt just before and just after the update that raised
 * the first alarm, and model-a's share of family-0 prompts in steps 400–700.
 */
function warmFailure(params: Record<string, unknown>) {
  const history = twoFamilySet({ count: 300, seed: 21, sparse: true });
  const served = twoFamilySet({ count: 700, seed: 11, sparse: true });
  const offline = linearRouterTrainer.train(history.set, { seed: 1 });
  const router = createBanditRouter({ kind: "linucb", params, models: MODELS, inputDimension: DIMENSION, seed: 3, priorRouter: offline.toState(), resolve: routerTrainerFor });
  const probe = inputOf(served.set, 0);
  const random = createRandom(5);
  let alarm: { before: number; after: number; observationsBefore: number; observationsAfter: number } | undefined;
  let family0 = 0;
  let onA = 0;
  for (let t = 0; t < 700; t++) {
    const input = inputOf(served.set, t);
    const candidates = MODELS.map((model) => ({ model, predictedQuality: 0, predictedCostUsd: 1e-4 }));
    const choice = router.choose(input, candidates, 0.002, random);
    const reward = t >= 300 && choice.model === "model-a" ? 0 : served.set.examples[t]!.outcomes[choice.model]!.score;
    const before = { quality: router.predictQuality(probe)[0]!, observations: stateOf<{ arms: Record<string, { observations: number }> }>(router).arms["model-a"]!.observations };
    const restarts = router.restarts;
    router.update({ input, model: choice.model, reward });
    if (!alarm && router.restarts > restarts) {
      const observations = stateOf<{ arms: Record<string, { observations: number }> }>(router).arms["model-a"]!.observations;
      alarm = { before: before.quality, after: router.predictQuality(probe)[0]!, observationsBefore: before.observations, observationsAfter: observations };
    }
    if (t >= 400 && served.family[t] === 0) {
      family0++;
      if (choice.model === "model-a") onA++;
    }
  }
  return { router, alarm, share: onA / family0 };
}

test("an alarm on a warm start's known model moves its level by the measured change and keeps its arm; 'forget' starts the arm over", () => {
  const shifted = warmFailure({});
  assert.ok(shifted.alarm, "the detector saw model-a fail");
  const state = stateOf<{ levels: Record<string, number>; restarted: string[] }>(shifted.router);
  const level = state.levels["model-a"]!;
  assert.ok(level <= -0.3, `model-a's level moved by ${level}`);
  assert.deepEqual(state.restarted, ["model-a"]);
  // The arm keeps its observations; the predicted quality falls by about the level at once.
  assert.ok(shifted.alarm.observationsAfter >= shifted.alarm.observationsBefore * 0.99 && shifted.alarm.observationsBefore > 20, `observations ${shifted.alarm.observationsBefore} → ${shifted.alarm.observationsAfter}`);
  assert.ok(shifted.alarm.after <= shifted.alarm.before + level / 2, `predicted quality ${shifted.alarm.before} → ${shifted.alarm.after} (level ${level})`);
  assert.ok(shifted.share <= 0.2, `model-a's share of family-0 prompts 100–400 steps after it started failing: ${shifted.share}`);
  assert.match(shifted.router.explain(inputOf(twoFamilySet({ count: 1, seed: 11, sparse: true }).set, 0))[0]!, /its level moved by -0\.\d{3}/);
  // The level is part of the state.
  const rebuilt = routerTrainerFor("linucb").fromState(shifted.router.toState());
  assert.deepEqual(stateOf(rebuilt), stateOf(shifted.router));

  const forgotten = warmFailure({ changeDetection: { restart: "forget" } });
  assert.ok(forgotten.alarm);
  assert.ok(forgotten.alarm.observationsAfter < 1, `a forgetting arm starts over: ${forgotten.alarm.observationsAfter} observations`);
  assert.deepEqual(stateOf<{ levels: Record<string, number> }>(forgotten.router).levels, {});
});

test("a cold start's alarm forgets the arm by default (its prior is optimism, explored again)", () => {
  const { router, after } = degradedShare({ discount: 0.999 });
  assert.ok(router.restarts >= 1 && after <= 0.2);
  assert.deepEqual(stateOf<{ levels: Record<string, number> }>(router).levels, {});
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
  for (const bad of [{ threshold: -1 }, { drift: 2 }, { warmup: 1.5 }, { tresh: 3 }, { restart: "reset" }, "on", true]) {
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
  for (const levels of [{ "model-a": "low" }, { "model-a": null }, ["model-a"]]) {
    assert.throws(
      () => routerTrainerFor("linucb").fromState({ ...state, levels } as never),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact" && /levels/.test(error.message),
      `levels ${JSON.stringify(levels)}`,
    );
  }
});
