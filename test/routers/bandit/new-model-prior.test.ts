import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../../src/core/errors.js";
import { createRandom } from "../../../src/core/random.js";
import { createBanditRouter } from "../../../src/routers/bandit/index.js";
import { chooseArm } from "../../../src/routers/bandit/choose-arm.js";
import { routerTrainerFor } from "../../../src/routers/create-router-trainer.js";
import { DIMENSION, MODELS, inputOf, stateOf, twoFamilySet } from "../learned-routers-fixture.js";

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
  // The previous defaults (prior = the best incumbent's estimate, held by a cold λ = 1, the known models' bonus) lock it out after its two failures.
  const locked = newModelShare({ newModelPrior: "best", newModelPriorWeight: 1, newModelExploration: 1 }, 300, 400);
  assert.ok(locked <= 0.2, `best-incumbent prior with weight 1: share ${locked}`);
});

/**
 * Incumbents model-a (right 92 % on family 0, 15 % on family 1) and model-c (60 % on both) at 0.01 USD; at
 * step 200 a model arrives at 0.05 USD that is right 95 % of the time on family 1 and 10 % on family 0: at
 * wtp 1 it should take family 1 and never serve family 0. Counts its choices per family in steps 200–300.
 */
function specialistRun(anchors: number): { family0: number; family1: number; router: ReturnType<typeof createBanditRouter> } {
  const router = createBanditRouter({ kind: "linucb", params: {}, models: ["model-a", "model-c"], inputDimension: DIMENSION, seed: 3, resolve: routerTrainerFor });
  const random = createRandom(5);
  const rewards = createRandom(9);
  const accuracy = (model: string, family: number) => (model === "model-new" ? [0.1, 0.95] : model === "model-a" ? [0.92, 0.15] : [0.6, 0.6])[family]!;
  const counts = { family0: 0, family1: 0 };
  for (let t = 0; t < 300; t++) {
    const family = stream.family[t]!;
    if (t === 200) {
      // The anchor set: prompts served before (rows 100–100+anchors), the new model's outcomes on them.
      const anchorSet = Array.from({ length: anchors }, (_, k) => 100 + k).map((i) => ({ input: inputOf(stream.set, i), reward: rewards() < accuracy("model-new", stream.family[i]!) ? 1 : 0 }));
      router.addModel("model-new", { anchors: anchorSet });
    }
    const input = inputOf(stream.set, t);
    const candidates = router.models.map((model) => ({ model, predictedQuality: 0, predictedCostUsd: model === "model-new" ? 0.05 : 0.01 }));
    const choice = router.choose(input, candidates, 1, random);
    router.update({ input, model: choice.model, reward: rewards() < accuracy(choice.model, family) ? 1 : 0 });
    if (choice.model === "model-new") counts[family === 0 ? "family0" : "family1"]++;
  }
  return { ...counts, router };
}

test("a model added with anchors starts from its measured strengths: no exploration where the anchors say it is weak", () => {
  const anchored = specialistRun(40);
  const optimistic = specialistRun(0);
  // 50 prompts of each family in steps 200–300.
  assert.ok(anchored.family1 >= 40, `anchored: ${anchored.family1} of 50 family-1 prompts to the specialist`);
  assert.ok(anchored.family0 <= 2, `anchored: ${anchored.family0} of 50 family-0 prompts to the specialist`);
  // The optimistic prior has to find that out by serving family 0 (5 of 50 here); the anchors already said so.
  assert.ok(optimistic.family0 >= anchored.family0 + 3, `the optimistic prior explores family 0 (${optimistic.family0}) where the anchors say not to (${anchored.family0})`);
  // The anchor offset is part of the state: a router rebuilt from it predicts the same.
  const rebuilt = routerTrainerFor("linucb").fromState(JSON.parse(JSON.stringify(anchored.router.toState())));
  for (const i of [0, 1, 250, 251]) {
    const [own, again] = [anchored.router.predictQuality(inputOf(stream.set, i)), rebuilt.predictQuality(inputOf(stream.set, i))];
    own.forEach((q, j) => assert.ok(Math.abs(q - again[j]!) < 1e-9, `row ${i}, model ${j}: ${q} vs ${again[j]} rebuilt`));
  }
  // ... and goes on learning the same way (to rounding): one more served answer refines both read-outs alike.
  for (const router of [anchored.router, rebuilt]) (router as typeof anchored.router).update({ input: inputOf(stream.set, 300), model: "model-new", reward: 1 });
  const readOut = (router: { toState(): unknown }) => (router.toState() as { anchorPriors: Record<string, { intercept: number; gram: number[] }> }).anchorPriors["model-new"]!;
  assert.ok(Math.abs(readOut(rebuilt).intercept - readOut(anchored.router).intercept) < 1e-9);
  assert.equal(readOut(rebuilt).gram[0], readOut(anchored.router).gram[0]);
  const [own, again] = [anchored.router.predictQuality(inputOf(stream.set, 251)), rebuilt.predictQuality(inputOf(stream.set, 251))];
  own.forEach((q, j) => assert.ok(Math.abs(q - again[j]!) < 1e-9, `model ${j} after one more answer: ${q} vs ${again[j]} rebuilt`));
  assert.match(anchored.router.explain(inputOf(stream.set, 0)).find((line) => line.startsWith("model-new"))!, /added online with a prior read out from its anchor prompts, explored at 3× the known models' width/);
  assert.doesNotMatch(anchored.router.explain(inputOf(stream.set, 0)).find((line) => line.startsWith("model-a"))!, /explored at/);
  assert.match(optimistic.router.explain(inputOf(stream.set, 0)).find((line) => line.startsWith("model-new"))!, /added online with an assumed prior/);
  // The specialist answers unlike model-a (right where it is wrong): the read-out says so.
  const priors = (anchored.router.toState() as unknown as { anchorPriors: Record<string, { weights: Record<string, number>; gram: number[] }> }).anchorPriors;
  assert.ok(priors["model-new"]!.weights["model-a"]! < 0, `the specialist's weight on model-a: ${JSON.stringify(priors["model-new"])}`);
  // Every served answer refined the read-out: its intercept's weight is shrinkage 5 + 40 anchors + the answers
  // (those of steps 200–300 and the one more above).
  assert.equal(priors["model-new"]!.gram[0], 5 + 40 + anchored.family0 + anchored.family1 + 1);
});

test("when the change detector restarts a model added with anchors, its stale anchor prior goes and it is explored afresh", () => {
  const router = createBanditRouter({ kind: "linucb", params: { changeDetection: { drift: 0.1, threshold: 2, warmup: 5 } }, models: ["model-a", "model-c"], inputDimension: DIMENSION, seed: 3, resolve: routerTrainerFor });
  const anchors = Array.from({ length: 40 }, (_, i) => ({ input: inputOf(stream.set, i), reward: 1 }));
  router.addModel("model-new", { anchors });
  const probe = inputOf(stream.set, 500);
  const at = router.models.indexOf("model-new");
  // Its answers turn wrong: the detector restarts its arm within a few dozen observations.
  let t = 100;
  while (router.restarts === 0 && t < 200) router.update({ input: inputOf(stream.set, t++), model: "model-new", reward: 0 });
  assert.equal(router.restarts, 1, "the detector restarted the new model's arm");
  const state = stateOf<{ anchorPriors: Record<string, unknown>; restarted: string[] }>(router);
  assert.deepEqual(state.anchorPriors, {}, "the anchor prior is dropped");
  assert.deepEqual(state.restarted, ["model-new"]);
  // Back to the optimistic prior, held by newModelPriorWeight (λ 10): one more failure does not lock it out.
  assert.equal(router.predictQuality(probe)[at], 1);
  router.update({ input: inputOf(stream.set, t), model: "model-new", reward: 0 });
  assert.ok(router.predictQuality(probe)[at]! > 0.8, `after one failure: ${router.predictQuality(probe)[at]}`);
});

test("anchors without a finite reward are left out: the model is added as from the others", () => {
  const build = () => createBanditRouter({ kind: "linucb", params: {}, models: ["model-a", "model-c"], inputDimension: DIMENSION, seed: 3, resolve: routerTrainerFor });
  const anchors = Array.from({ length: 20 }, (_, i) => ({ input: inputOf(stream.set, i), reward: i % 2 }));
  const clean = build();
  clean.addModel("model-new", { anchors });
  const noisy = build();
  noisy.addModel("model-new", { anchors: [...anchors, { input: inputOf(stream.set, 30), reward: Number.NaN }, { input: inputOf(stream.set, 31), reward: Number.POSITIVE_INFINITY }] });
  assert.deepEqual(stateOf(noisy), stateOf(clean));
  // Only unusable anchors: the optimistic prior, as without anchors.
  const none = build();
  none.addModel("model-new", { anchors: [{ input: inputOf(stream.set, 30), reward: Number.NaN }] });
  assert.equal(none.predictQuality(inputOf(stream.set, 0))[2], 1);
});

test("anchorShrinkage, newModelExploration and a stored anchor prior are validated: garbage is refused naming the field", () => {
  for (const field of ["anchorShrinkage", "newModelExploration"]) {
    for (const bad of [-1, Number.POSITIVE_INFINITY, "5"]) {
      assert.throws(
        () => createBanditRouter({ kind: "linucb", params: { [field]: bad }, models: MODELS, inputDimension: DIMENSION, seed: 3 }),
        (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && new RegExp(field).test(error.message),
        `${field} ${JSON.stringify(bad)}`,
      );
    }
  }
  const router = createBanditRouter({ kind: "linucb", params: {}, models: ["model-a", "model-c"], inputDimension: DIMENSION, seed: 3, resolve: routerTrainerFor });
  router.addModel("model-new", { anchors: [{ input: inputOf(stream.set, 0), reward: 1 }] });
  const state = stateOf<Record<string, unknown>>(router);
  for (const garbage of [{ intercept: "high", weights: {} }, { intercept: 0.1, weights: {}, models: ["model-a", "model-c"], gram: [1, 0, 0, 1], right: [0, 0, 0] }]) {
    const corrupt = { ...state, anchorPriors: { "model-new": garbage } };
    assert.throws(
      () => routerTrainerFor("linucb").fromState(JSON.parse(JSON.stringify(corrupt))),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact" && /anchorPriors/.test(error.message),
      JSON.stringify(garbage),
    );
  }
});

/**
 * Incumbents right 60 % of the time at 0.01 USD; a model arrives at step 200 (0.03 USD) that is right 90 %
 * of the time, but its anchors came out badly (8 failures of 12): its read-out starts well below what it is
 * worth. Returns its share of steps 400–600 with the given `newModelExploration`.
 */
function underEstimatedShare(newModelExploration: number): number {
  const router = createBanditRouter({ kind: "linucb", params: { newModelExploration }, models: ["model-a", "model-c"], inputDimension: DIMENSION, seed: 3, resolve: routerTrainerFor });
  const random = createRandom(5);
  const rewards = createRandom(9);
  let share = 0;
  for (let t = 0; t < 600; t++) {
    if (t === 200) router.addModel("model-new", { anchors: Array.from({ length: 12 }, (_, k) => ({ input: inputOf(stream.set, 100 + k), reward: k % 3 === 0 ? 1 : 0 })) });
    const input = inputOf(stream.set, t);
    const candidates = router.models.map((model) => ({ model, predictedQuality: 0, predictedCostUsd: model === "model-new" ? 0.03 : 0.01 }));
    const choice = router.choose(input, candidates, 1, random);
    router.update({ input, model: choice.model, reward: rewards() < (choice.model === "model-new" ? 0.9 : 0.6) ? 1 : 0 });
    if (t >= 400 && choice.model === "model-new") share += 1 / 200;
  }
  return share;
}

test("newModelExploration scales an added model's exploration: an under-estimated newcomer is found; with none it is left", () => {
  const timid = underEstimatedShare(0);
  const explored = underEstimatedShare(3);
  assert.ok(explored >= 0.7, `with exploration 3 the better newcomer carries ${explored} of steps 400–600`);
  assert.ok(timid <= 0.1, `with no exploration of its own it carries ${timid}`);
});

test("an added model's exploration defaults per kind (LinUCB 3×, Thompson 10×), a configured value wins, and a rebuilt router keeps it", () => {
  const line = (kind: "linucb" | "thompson", params: Record<string, unknown>) => {
    const router = createBanditRouter({ kind, params, models: ["model-a", "model-c"], inputDimension: DIMENSION, seed: 3, resolve: routerTrainerFor });
    router.addModel("model-new");
    const rebuilt = routerTrainerFor(kind).fromState(JSON.parse(JSON.stringify(stateOf(router)))) as typeof router;
    const explained = [router, rebuilt].map((r) => r.explain(inputOf(stream.set, 0)).find((text) => text.startsWith("model-new"))!);
    assert.equal(explained[0], explained[1]);
    return explained[0]!;
  };
  assert.match(line("linucb", {}), /explored at 3× the known models' width/);
  assert.match(line("thompson", {}), /explored at 10× the known models' width/);
  assert.match(line("thompson", { newModelExploration: 2 }), /explored at 2× the known models' width/);
});

test("Thompson draws an optimistic candidate at or above its mean (choice and propensity estimate alike), the others on both sides", () => {
  const scores = {
    models: ["model-new", "model-a"],
    mean: Float64Array.of(0.5, 0.5),
    width: Float64Array.of(1, 1),
    costUsd: Float64Array.of(0, 0),
    optimistic: [true, false],
  };
  const random = createRandom(17);
  let below = 0;
  let newWins = 0;
  for (let i = 0; i < 400; i++) {
    const choice = chooseArm(scores, 1, { kind: "thompson", posteriorScale: 0.1, propensityDraws: 200 }, random);
    assert.ok(choice.scoredQuality[0]! >= 0.5, `optimistic draw ${choice.scoredQuality[0]} below its mean`);
    if (choice.scoredQuality[1]! < 0.5) below++;
    if (choice.index === 0) newWins++;
    // Equal means: the optimistic one wins when the other draws below the mean (1/2), or above it but lower (1/8): 5/8.
    assert.ok(choice.propensities[0]! > 0.5 && choice.propensities[0]! < 0.75, `propensity ${choice.propensities[0]}`);
  }
  assert.ok(below > 150 && below < 250, `${below} of 400 symmetric draws below the mean`);
  assert.ok(newWins > 215 && newWins < 285, `the optimistic candidate won ${newWins} of 400`);
});
