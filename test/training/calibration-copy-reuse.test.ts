import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom, shuffled } from "../../src/core/random.js";
import { AutoRouter } from "../../src/routers/auto/index.js";
import { routerTrainerFor } from "../../src/routers/create-router-trainer.js";
import { createEnsembleRouterTrainer } from "../../src/routers/ensemble/index.js";
import { KnnRouter } from "../../src/routers/knn/index.js";
import type { RouterTrainer, TrainOptions } from "../../src/routers/router-trainer.js";
import { calibrateKnob } from "../../src/training/calibrate-knob.js";
import { predictAll } from "../../src/training/predict.js";
import { trainRouter } from "../../src/training/train-router.js";
import { prepareTraining, subsetTrainingSet, type PreparedTraining } from "../../src/training/training-set.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const models = ["small", "big"];
const train = syntheticRoutingExamples(240, 3, "train");
// kNN (tuned by leave-one-out) is clearly right on this set; random is not.
const members = [{ router: "random" }, { router: "knn" }];

/** The first 80 % of a seeded shuffle of the rows (any refit subset will do). */
function eightyPercent(prepared: PreparedTraining) {
  const n = prepared.data.examples.length;
  const order = shuffled(Array.from({ length: n }, (_, i) => i), createRandom(11));
  return subsetTrainingSet(prepared.data, order.slice(Math.round(n * 0.2)));
}

/** A resolver that records every member training (kind and options). */
function countingResolver(): { resolve: (kind: string) => RouterTrainer; calls: Array<{ kind: string; options: TrainOptions; rows: number }> } {
  const calls: Array<{ kind: string; options: TrainOptions; rows: number }> = [];
  const resolve = (kind: string): RouterTrainer => {
    const inner = routerTrainerFor(kind);
    return {
      ...inner,
      train(data, options) {
        calls.push({ kind, options, rows: data.examples.length });
        return inner.train(data, options);
      },
    };
  };
  return { resolve, calls };
}

test("above cvRows, the ensemble's trainLike refits the chosen members once each, with their tuned hyper-parameters frozen and no cross-validation", async () => {
  const prepared = await prepareTraining(train, models);
  const { resolve, calls } = countingResolver();
  const ensemble = createEnsembleRouterTrainer(resolve);
  const reference = ensemble.train(prepared.data, { seed: 3, params: { members: [{ router: "knn" }, { router: "knn", view: "question" }], meta: ["average"], cvRows: 120 } });
  assert.equal(calls.length, 2 * (1 + 4 + 1), "each member: tuned on the sample, 4 fold models, final fit");
  calls.length = 0;
  const fit = eightyPercent(prepared);
  const refitted = ensemble.trainLike!(reference, fit, { seed: 3, params: { members: [{ router: "knn" }, { router: "knn", view: "question" }], meta: ["average"], cvRows: 120 } });
  assert.ok(refitted);
  assert.equal(calls.length, 2, "one fit per member, no folds");
  for (const call of calls) {
    assert.equal(call.rows, fit.examples.length);
    assert.equal(call.options.params?.tune, false, "no leave-one-out tuning again");
  }
  const referenceState = reference.toState() as unknown as { meta: unknown; members: Array<{ view: string; router: { params: unknown } }> };
  const refittedState = refitted.toState() as unknown as { meta: unknown; members: Array<{ view: string; router: { params: unknown; count: number } }>; cv: { reused: string } };
  assert.deepEqual(refittedState.meta, referenceState.meta);
  assert.deepEqual(
    refittedState.members.map((member) => [member.view, member.router.params]),
    referenceState.members.map((member) => [member.view, member.router.params]),
    "same views, same k / power / priorWeight",
  );
  for (const member of refittedState.members) assert.equal(member.router.count, fit.examples.length);
  assert.match(refittedState.cv.reused, /refitted without cross-validation/);
});

test("above cvRows, auto's trainLike keeps the winner and its tuned parameters; trainRouter's calibration from that copy is monotone", async () => {
  const prepared = await prepareTraining(train, models);
  const trainer = routerTrainerFor("auto");
  const params = { members, combine: false, cvRows: 120 };
  const reference = trainer.train(prepared.data, { seed: 3, params });
  assert.ok(reference instanceof AutoRouter && reference.chosen instanceof KnnRouter);
  const refitted = trainer.trainLike!(reference, eightyPercent(prepared), { seed: 3, params });
  assert.ok(refitted instanceof AutoRouter && refitted.chosen instanceof KnnRouter);
  assert.deepEqual(refitted.chosen.params, reference.chosen.params);
  assert.equal(refitted.cv, reference.cv, "the choice is the full training's");

  const { calibration } = trainRouter(prepared, { router: "auto", seed: 3, params });
  assert.ok(calibration.willingnessToPay.length > 2);
  for (let i = 1; i < calibration.willingnessToPay.length; i++) {
    assert.ok(calibration.willingnessToPay[i]! > calibration.willingnessToPay[i - 1]!);
    assert.ok(calibration.spendUsd[i]! >= calibration.spendUsd[i - 1]!, "spend is non-decreasing in willingness-to-pay");
  }
  assert.ok(calibration.spendUsd.at(-1)! > calibration.spendUsd[0]!, "the knob spans cheap to costly");
});

test("at or below cvRows nothing is reused: trainLike declines and trainRouter calibrates a copy trained from scratch, as before", async () => {
  const prepared = await prepareTraining(train, models);
  for (const kind of ["auto", "ensemble"]) {
    const trainer = routerTrainerFor(kind);
    const params = { members, cvRows: 240 };
    const reference = trainer.train(prepared.data, { seed: 3, params });
    assert.equal(trainer.trainLike!(reference, eightyPercent(prepared), { seed: 3, params }), undefined, `${kind}: no CV sample, nothing to reuse`);
    // trainRouter's calibration equals the from-scratch procedure (20 % held out by the same seeded shuffle).
    const n = prepared.data.examples.length;
    const order = shuffled(Array.from({ length: n }, (_, i) => i), createRandom(3 ^ 0x5eed));
    const cut = Math.round(n * 0.2);
    const heldOut = subsetTrainingSet(prepared.data, order.slice(0, cut));
    const copy = trainer.train(subsetTrainingSet(prepared.data, order.slice(cut)), { seed: 3, params });
    const recorded = heldOut.examples.map((example) => Float64Array.from(heldOut.models, (model) => example.outcomes[model]?.costUsd ?? Number.NaN));
    const expected = calibrateKnob(predictAll(copy, prepared.costModel, heldOut), recorded);
    assert.deepEqual(trainRouter(prepared, { router: kind, seed: 3, params }).calibration, expected, kind);
  }
});

test("trainLike declines routers its trainer did not train in this process", async () => {
  const prepared = await prepareTraining(train, models);
  const trainer = routerTrainerFor("auto");
  const params = { members, combine: false, cvRows: 120 };
  const reloaded = trainer.fromState(trainer.train(prepared.data, { seed: 3, params }).toState());
  assert.equal(trainer.trainLike!(reloaded, prepared.data, { seed: 3, params }), undefined);
  assert.equal(routerTrainerFor("ensemble").trainLike!(reloaded, prepared.data, { seed: 3, params }), undefined);
});
