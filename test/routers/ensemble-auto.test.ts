import assert from "node:assert/strict";
import { test } from "node:test";
import { routerTrainerFor } from "../../src/routers/create-router-trainer.js";
import { AutoRouter, defaultAutoMembers } from "../../src/routers/auto/index.js";
import { predictAll } from "../../src/training/predict.js";
import { prepareTraining } from "../../src/training/training-set.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const models = ["small", "big"];
const train = syntheticRoutingExamples(160, 3, "train");
const heldOut = syntheticRoutingExamples(40, 4, "test");
// kNN is clearly right on this set (the prompt's words say which model answers); random is not.
const members = [{ router: "random" }, { router: "knn", params: { k: 10, power: 1, priorWeight: 1 } }];

test("auto picks the router that is clearly best by cross-validation and records every candidate's score", async () => {
  const prepared = await prepareTraining(train, models);
  const router = routerTrainerFor("auto").train(prepared.data, { seed: 2, params: { members, folds: 4, combine: false } });
  assert.ok(router instanceof AutoRouter);
  assert.equal(router.kind, "auto");
  assert.equal(router.chosen.kind, "knn");
  const state = router.toState() as { kind: string; chosen: { kind: string }; cv: { chosen: string; candidates: Array<{ name: string; score: number }> } };
  assert.equal(state.kind, "auto");
  assert.equal(state.chosen.kind, "knn");
  assert.equal(state.cv.chosen, "member 1 alone");
  const score = (name: string) => state.cv.candidates.find((candidate) => candidate.name === name)!.score;
  assert.ok(score("member 1 alone") > score("member 0 alone") + 0.01);
});

test("with combinations allowed, auto never ends on the random member and keeps the best CV score", async () => {
  const prepared = await prepareTraining(train, models);
  const router = routerTrainerFor("auto").train(prepared.data, { seed: 2, params: { members, folds: 4 } });
  assert.ok(router instanceof AutoRouter);
  assert.notEqual(router.chosen.kind, "random");
  const cv = router.cv as { chosen: string; candidates: Array<{ name: string; score: number }> };
  assert.equal(cv.chosen, cv.candidates[0]!.name);
  for (const candidate of cv.candidates) assert.ok(cv.candidates[0]!.score >= candidate.score);
  assert.ok(cv.candidates.length >= 8, "single members, their average and ridge blends are all scored");
});

test("auto is deterministic and its state rebuilds the winner through the registry", async () => {
  const prepared = await prepareTraining(train, models);
  const a = routerTrainerFor("auto").train(prepared.data, { seed: 2, params: { members, folds: 3 } });
  const b = routerTrainerFor("auto").train(prepared.data, { seed: 2, params: { members, folds: 3 } });
  assert.deepEqual(a.toState(), b.toState());
  const copy = routerTrainerFor("auto").fromState(JSON.parse(JSON.stringify(a.toState())));
  assert.equal(copy.kind, "auto");
  const embeddings = await prepared.embedder.embed(heldOut.map((example) => example.prompt));
  const testData = { examples: heldOut, embeddings, promptTokens: heldOut.map(() => 5), models };
  assert.deepEqual(predictAll(copy, prepared.costModel, testData).quality.map((row) => [...row]), predictAll(a, prepared.costModel, testData).quality.map((row) => [...row]));
  assert.throws(() => routerTrainerFor("auto").fromState({ kind: "auto", chosen: { kind: "auto" } }), /cannot itself be auto/);
});

test("auto's default candidates add linear and mlp only for dense vectors of at most 1,024 dimensions", () => {
  const names = (embeddings: Float32Array[], sparse: boolean) =>
    defaultAutoMembers({ examples: [], embeddings, sparseEmbeddings: sparse ? [] : undefined, promptTokens: [], models: [] }).map((member) => `${member.router}@${member.view ?? "prompt"}`);
  const sparse = names([new Float32Array(4096)], true);
  assert.ok(sparse.includes("cluster@prompt") && !sparse.includes("linear@prompt") && !sparse.includes("mlp@prompt"), sparse.join());
  const dense = names([new Float32Array(512)], false);
  assert.deepEqual(dense.slice(-3), ["cluster@prompt", "linear@prompt", "mlp@prompt"]);
  assert.ok(!names([new Float32Array(4096)], false).includes("mlp@prompt"), "wide dense vectors: no fitted candidates");
});
