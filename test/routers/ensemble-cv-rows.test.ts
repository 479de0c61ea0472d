import assert from "node:assert/strict";
import { test } from "node:test";
import { routerTrainerFor } from "../../src/routers/create-router-trainer.js";
import { prepareTraining } from "../../src/training/training-set.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const models = ["small", "big"];
const train = syntheticRoutingExamples(240, 3, "train");
const members = [{ router: "knn", params: { k: 10, power: 1, priorWeight: 1 } }, { router: "knn", view: "question", params: { k: 10, power: 1, priorWeight: 1 } }];

interface CvRecord {
  rows?: number;
  sampledFrom?: number;
  criterion: string;
  candidates: Array<{ name: string; score: number }>;
}

test("above cvRows the ensemble cross-validates on a seeded sample, deterministically, and says so", async () => {
  const prepared = await prepareTraining(train, models);
  const train_ = (cvRows: number): CvRecord => (routerTrainerFor("ensemble").train(prepared.data, { seed: 3, params: { members, folds: 4, cvRows } }).toState() as unknown as { cv: CvRecord }).cv;
  const sampled = train_(120);
  assert.equal(sampled.rows, 120);
  assert.equal(sampled.sampledFrom, 240);
  assert.match(sampled.criterion, /a seeded sample of 120 of its 240 prompts/);
  assert.deepEqual(train_(120).candidates, sampled.candidates, "same seed, same sample, same scores");
  const full = train_(10_000);
  assert.equal(full.rows, undefined);
  assert.notDeepEqual(full.candidates, sampled.candidates, "the sample is not the whole split");
});

test("auto passes cvRows through to the ensemble", async () => {
  const prepared = await prepareTraining(train, models);
  const state = routerTrainerFor("auto").train(prepared.data, { seed: 3, params: { members, cvRows: 100 } }).toState() as unknown as { cv: CvRecord };
  assert.equal(state.cv.rows, 100);
  assert.equal(state.cv.sampledFrom, 240);
});

test("above cvRows the final kNN members reuse the hyper-parameters tuned on the sample unless retuneOnAll", async () => {
  const prepared = await prepareTraining(train, models);
  const tuned = [{ router: "knn" }, { router: "knn", view: "question" }];
  const finalKnn = (params: Record<string, unknown>) => {
    const state = routerTrainerFor("ensemble").train(prepared.data, { seed: 3, params: { members: tuned, meta: ["average"], ...params } }).toState() as unknown as { members: Array<{ router: { tuning?: unknown; params: unknown } }> };
    return state.members.map((member) => member.router);
  };
  for (const member of finalKnn({ cvRows: 120 })) assert.equal(member.tuning, undefined, "not re-tuned on all prompts");
  for (const member of finalKnn({ cvRows: 120, retuneOnAll: true })) assert.ok(member.tuning, "re-tuned on all prompts");
  for (const member of finalKnn({})) assert.ok(member.tuning, "without a sample the member is tuned on the whole split as before");
});
