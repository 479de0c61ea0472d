import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { routerTrainerFor } from "../../src/routers/create-router-trainer.js";
import { EnsembleRouter } from "../../src/routers/ensemble/index.js";
import { predictAll } from "../../src/training/predict.js";
import { prepareTraining } from "../../src/training/training-set.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const models = ["small", "big"];
const train = syntheticRoutingExamples(160, 1, "train");
const heldOut = syntheticRoutingExamples(60, 2, "test");
const members = [{ router: "knn", params: { k: 10, power: 1, priorWeight: 1 } }, { router: "knn", view: "question", params: { k: 10, power: 1, priorWeight: 1 } }, { router: "random" }];

async function setUp() {
  const prepared = await prepareTraining(train, models);
  const embed = async (texts: string[]) => ({ embeddings: await prepared.embedder.embed(texts), promptTokens: texts.map(() => 5) });
  const { embeddings } = await embed(heldOut.map((example) => example.prompt));
  const testData = { examples: heldOut, embeddings, promptTokens: heldOut.map(() => 5), models };
  return { prepared, testData };
}

test("the ensemble learns which model answers which prompts, and records its cross-validation", async () => {
  const { prepared, testData } = await setUp();
  const router = routerTrainerFor("ensemble").train(prepared.data, { seed: 1, params: { members, folds: 4 } });
  assert.ok(router instanceof EnsembleRouter);
  const predictions = predictAll(router, prepared.costModel, testData);
  let mathGap = 0;
  heldOut.forEach((example, i) => {
    const [small, big] = predictions.quality[i]!;
    if (example.task === "math") mathGap += (big! - small!) / 30;
  });
  assert.ok(mathGap > 0.4, `big should be predicted much better on math (gap ${mathGap})`);
  const cv = (router.toState() as unknown as { cv: { candidates: Array<{ name: string; score: number }>; chosen: string } }).cv;
  assert.ok(cv.candidates.length >= 5);
  assert.equal(cv.chosen, cv.candidates[0]!.name);
  const randomAlone = cv.candidates.find((candidate) => candidate.name === "member 2 alone")!;
  assert.ok(cv.candidates[0]!.score > randomAlone.score, "the random member alone must not win");
});

test("training is deterministic and the state round-trips (through JSON) to identical predictions", async () => {
  const { prepared, testData } = await setUp();
  const params = { members, folds: 3, meta: ["average", "ridge-own", "ridge-cross"] };
  const a = routerTrainerFor("ensemble").train(prepared.data, { seed: 5, params });
  const b = routerTrainerFor("ensemble").train(prepared.data, { seed: 5, params });
  assert.deepEqual(a.toState(), b.toState());
  const copy = routerTrainerFor("ensemble").fromState(JSON.parse(JSON.stringify(a.toState())));
  const original = predictAll(a, prepared.costModel, testData);
  const restored = predictAll(copy, prepared.costModel, testData);
  original.quality.forEach((row, i) => row.forEach((value, j) => assert.ok(Math.abs(value - restored.quality[i]![j]!) < 1e-9)));
  for (const row of original.quality) for (const value of row) assert.ok(value >= 0 && value <= 1);
});

test("bad members, parameters and state are clear errors", async () => {
  const { prepared } = await setUp();
  const trainer = routerTrainerFor("ensemble");
  const isConfig = (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config";
  assert.throws(() => trainer.train(prepared.data, { seed: 1, params: { members: [{ router: "nope" }] } }), isConfig);
  assert.throws(() => trainer.train(prepared.data, { seed: 1, params: { members: [{ router: "oracle" }] } }), isConfig);
  assert.throws(() => trainer.train(prepared.data, { seed: 1, params: { folds: 1 } }), (error: unknown) => isConfig(error) && /folds/.test(String(error)));
  assert.throws(() => trainer.train(prepared.data, { seed: 1, params: { foo: 1 } }), (error: unknown) => isConfig(error) && /foo/.test(String(error)));
  assert.throws(() => trainer.fromState({ kind: "ensemble", version: 1, models: ["a"], members: [], meta: { kind: "average" } }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
  assert.throws(() => trainer.fromState({ kind: "ensemble", version: 1, models: ["a"], members: [{ view: "question", router: { kind: "random", models: ["a"], seed: 1 } }], meta: { kind: "average" } }), /questionEmbedder/);
});
