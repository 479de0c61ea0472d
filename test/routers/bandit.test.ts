import assert from "node:assert/strict";
import { test } from "node:test";
import { rankByObjective, type CandidatePrediction } from "../../src/core/objective.js";
import { createRandom } from "../../src/core/random.js";
import { SwitchyardError } from "../../src/core/errors.js";
import { BanditRouter, createBanditRouter, type BanditKind } from "../../src/routers/bandit/index.js";
import { routerTrainerFor } from "../../src/routers/create-router-trainer.js";
import { linearRouterTrainer } from "../../src/routers/linear/index.js";
import { isOnlineRouter } from "../../src/routers/online-router.js";
import type { RouteInput } from "../../src/routers/router.js";
import { DIMENSION, MODELS, inputOf, twoFamilySet } from "./learned-routers-fixture.js";

const stream = twoFamilySet({ count: 900, seed: 11, sparse: true });
const candidatesOf = (models: readonly string[]): CandidatePrediction[] => models.map((model) => ({ model, predictedQuality: 0, predictedCostUsd: 1e-6 }));
const resolve = (kind: string) => routerTrainerFor(kind);

function cold(kind: BanditKind, params: Record<string, unknown> = {}): BanditRouter {
  return createBanditRouter({ kind, params, models: MODELS, inputDimension: DIMENSION, seed: 3, resolve });
}

/** Streams the fixture with bandit feedback; returns the share of right choices (model-a on family 0, model-b on 1) over the last `tail` steps. */
function run(router: BanditRouter, steps: number, tail: number, seed = 5): number {
  const random = createRandom(seed);
  let right = 0;
  for (let t = 0; t < steps; t++) {
    const input = inputOf(stream.set, t);
    const choice = router.choose(input, candidatesOf(MODELS), 1, random);
    const reward = stream.set.examples[t]!.outcomes[choice.model]!.score;
    router.update({ input, model: choice.model, reward });
    if (t >= steps - tail && choice.model === (stream.family[t] === 0 ? "model-a" : "model-b")) right++;
  }
  return right / tail;
}

for (const [kind, params, bar] of [
  ["linucb", {}, 0.85],
  ["linucb", { hybrid: true }, 0.85],
  ["thompson", {}, 0.8],
  ["eps-greedy", {}, 0.8],
] as const) {
  test(`${kind}${"hybrid" in params ? " (hybrid)" : ""} learns from bandit feedback which model is best on which family`, () => {
    const router = cold(kind, params);
    assert.ok(isOnlineRouter(router));
    const share = run(router, 800, 200);
    assert.ok(share >= bar, `right-model share over the last 200 steps: ${share}`);
  });
}

test("propensities are probabilities that sum to 1 over the candidates, and exploration never leaves the offered candidates", () => {
  for (const kind of ["linucb", "thompson", "eps-greedy"] as const) {
    const router = cold(kind, { epsilon: 0.3 });
    run(router, 100, 10);
    const random = createRandom(9);
    const offered = candidatesOf(["model-b", "model-c"]);
    for (let t = 100; t < 200; t++) {
      const choice = router.chooseWithPropensities(inputOf(stream.set, t), offered, 1, random);
      assert.ok(choice.index === 0 || choice.index === 1);
      let sum = 0;
      for (const p of choice.propensities) {
        assert.ok(p >= 0 && p <= 1);
        sum += p;
      }
      assert.ok(Math.abs(sum - 1) < 1e-9, `${kind}: propensities sum to ${sum}`);
      assert.ok(choice.propensity > 0 && choice.propensity === choice.propensities[choice.index]);
      const viaContract = router.choose(inputOf(stream.set, t), offered, 1, createRandom(t));
      assert.ok(viaContract.model === "model-b" || viaContract.model === "model-c");
    }
  }
});

test("ε-greedy propensities are exact: (1 − ε) + ε/m for the greedy candidate, ε/m for the others", () => {
  const router = cold("eps-greedy", { epsilon: 0.2 });
  const choice = router.chooseWithPropensities(inputOf(stream.set, 0), candidatesOf(MODELS), 1, createRandom(1));
  const sorted = Array.from(choice.propensities).sort((a, b) => a - b);
  assert.deepEqual(sorted.map((p) => Number(p.toFixed(6))), [0.066667, 0.066667, 0.866667]);
});

test("with the discount, a model whose quality collapses loses its traffic within a bounded number of steps", () => {
  // γ = 0.99: a memory of ~100 observations (the change detector off: this is the discount alone; change-detection.test.ts has the detector).
  const router = cold("linucb", { discount: 0.99, changeDetection: false });
  const random = createRandom(2);
  const input = (t: number): RouteInput => inputOf(stream.set, t % 900);
  const quality = (model: string, t: number): number => (model === "model-a" ? (t < 400 ? 0.9 : 0.1) : model === "model-b" ? 0.6 : 0.3);
  const served: string[] = [];
  for (let t = 0; t < 700; t++) {
    const choice = router.choose(input(t), candidatesOf(MODELS), 1, random);
    router.update({ input: input(t), model: choice.model, reward: random() < quality(choice.model, t) ? 1 : 0 });
    served.push(choice.model);
  }
  const shareA = (from: number, to: number) => served.slice(from, to).filter((m) => m === "model-a").length / (to - from);
  assert.ok(shareA(300, 400) > 0.7, `model-a share before the drop: ${shareA(300, 400)}`);
  assert.ok(shareA(600, 700) < 0.25, `model-a share 200–300 steps after the drop: ${shareA(600, 700)}`);
  const undiscounted = cold("linucb", { discount: 1, changeDetection: false });
  const servedWithout: string[] = [];
  const again = createRandom(2);
  for (let t = 0; t < 700; t++) {
    const choice = undiscounted.choose(input(t), candidatesOf(MODELS), 1, again);
    undiscounted.update({ input: input(t), model: choice.model, reward: again() < quality(choice.model, t) ? 1 : 0 });
    servedWithout.push(choice.model);
  }
  const withoutShare = servedWithout.slice(600, 700).filter((m) => m === "model-a").length / 100;
  assert.ok(withoutShare > shareA(600, 700), `without the discount model-a keeps ${withoutShare} of the traffic`);
});

test("addModel explores a new model with an optimistic prior until measured; removeModel drops it cleanly", () => {
  const router = cold("linucb");
  run(router, 300, 10);
  router.addModel("model-d");
  assert.deepEqual([...router.models], [...MODELS, "model-d"]);
  const random = createRandom(4);
  let servedD = 0;
  for (let t = 300; t < 500; t++) {
    const input = inputOf(stream.set, t);
    const choice = router.choose(input, candidatesOf(router.models), 1, random);
    // model-d answers everything right: it should take over once measured.
    const reward = choice.model === "model-d" ? 1 : stream.set.examples[t]!.outcomes[choice.model]!.score;
    if (choice.model === "model-d" && t >= 400) servedD++;
    router.update({ input, model: choice.model, reward });
  }
  assert.ok(servedD >= 60, `model-d served ${servedD} of the last 100 steps`);
  router.removeModel("model-d");
  assert.deepEqual([...router.models], [...MODELS]);
  assert.equal(router.predictQuality(inputOf(stream.set, 0)).length, 3);
  assert.equal(router.update({ input: inputOf(stream.set, 0), model: "model-d", reward: 1 }), false);
});

test("state round-trips through JSON and keeps learning identically", () => {
  for (const params of [{}, { hybrid: true }]) {
    const router = cold("thompson", params);
    run(router, 200, 10);
    const json = JSON.stringify(router.toState());
    const rebuilt = routerTrainerFor("thompson").fromState(JSON.parse(json)) as BanditRouter;
    for (let t = 200; t < 230; t++) {
      const a = router.predictQuality(inputOf(stream.set, t));
      const b = rebuilt.predictQuality(inputOf(stream.set, t));
      for (let j = 0; j < 3; j++) assert.ok(Math.abs(a[j]! - b[j]!) < 1e-9);
      assert.equal(rebuilt.choose(inputOf(stream.set, t), candidatesOf(MODELS), 1, createRandom(t)).model, router.choose(inputOf(stream.set, t), candidatesOf(MODELS), 1, createRandom(t)).model);
    }
  }
  assert.throws(() => routerTrainerFor("linucb").fromState({ kind: "linucb", version: 1 }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
});

test("a warm start routes exactly like the offline router at step 0", () => {
  const history = twoFamilySet({ count: 300, seed: 21, sparse: true });
  const offline = linearRouterTrainer.train(history.set, { seed: 1 });
  const costs = [1e-4, 2e-4, 1e-3];
  for (const kind of ["linucb", "thompson", "eps-greedy"] as const) {
    const warm = createBanditRouter({ kind, params: { epsilon: 0 }, models: MODELS, inputDimension: DIMENSION, seed: 3, priorRouter: offline.toState(), resolve });
    for (let t = 0; t < 100; t++) {
      const input = inputOf(stream.set, t);
      const quality = offline.predictQuality(input);
      const candidates = MODELS.map((model, j) => ({ model, predictedQuality: quality[j]!, predictedCostUsd: costs[j]! }));
      const expected = rankByObjective(candidates, 0.002)[0]!.model;
      assert.deepEqual(Array.from(warm.predictQuality(input)), Array.from(quality));
      if (kind !== "thompson") assert.equal(warm.choose(input, candidates, 0.002, createRandom(t)).model, expected, `${kind} step 0, prompt ${t}`);
    }
  }
});

test("train fits the bandit on the dataset's full labels; bad params name the parameter", () => {
  const router = routerTrainerFor("linucb").train(twoFamilySet({ count: 400, seed: 1, sparse: true }).set, { seed: 2 });
  let right = 0;
  for (let t = 0; t < 200; t++) {
    const q = router.predictQuality(inputOf(stream.set, t));
    if ((q[0]! > q[1]!) === (stream.family[t] === 0)) right++;
  }
  assert.ok(right / 200 >= 0.95, `family accuracy ${right / 200}`);
  assert.throws(
    () => routerTrainerFor("linucb").train(twoFamilySet({ count: 40, seed: 1 }).set, { seed: 2, params: { discount: 2 } }),
    (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /discount/.test(error.message),
  );
  for (const params of [{ conservative: -0.5 }, { conservative: true }, { conservativeExploration: 1.5 }]) {
    assert.throws(
      () => routerTrainerFor("linucb").train(twoFamilySet({ count: 40, seed: 1 }).set, { seed: 2, params }),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && new RegExp(Object.keys(params)[0]!).test(error.message),
    );
  }
});

test("a learned cost ratio makes a repriced model lose traffic", () => {
  const router = cold("linucb");
  const random = createRandom(8);
  const served: string[] = [];
  for (let t = 0; t < 600; t++) {
    const input = inputOf(stream.set, t);
    const candidates = [
      { model: "model-a", predictedQuality: 0, predictedCostUsd: 0.01 },
      { model: "model-c", predictedQuality: 0, predictedCostUsd: 0.01 },
    ];
    const choice = router.choose(input, candidates, 1, random);
    const real = choice.model === "model-a" && t >= 300 ? 0.5 : 0.01;
    router.update({ input, model: choice.model, reward: choice.model === "model-a" ? 0.8 : 0.6, costUsd: real, predictedCostUsd: 0.01 });
    served.push(choice.model);
  }
  const shareA = (from: number, to: number) => served.slice(from, to).filter((m) => m === "model-a").length / (to - from);
  assert.ok(shareA(200, 300) > 0.8, `before: ${shareA(200, 300)}`);
  assert.ok(shareA(400, 600) < 0.1, `after: ${shareA(400, 600)}`);
});
