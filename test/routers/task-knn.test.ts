import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { TaskKnnRouter, taskKnnRouterTrainer } from "../../src/routers/knn/index.js";
import { predictAll } from "../../src/training/predict.js";
import { prepareTraining } from "../../src/training/training-set.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const models = ["small", "big"];
const train = syntheticRoutingExamples(200, 1, "train");
const heldOut = syntheticRoutingExamples(60, 2, "test");

test("task-knn predicts the held-out prompt's task and its models' quality", async () => {
  const prepared = await prepareTraining(train, models);
  const router = taskKnnRouterTrainer.train(prepared.data, { seed: 1 });
  assert.ok(router instanceof TaskKnnRouter);
  const embeddings = await prepared.embedder.embed(heldOut.map((example) => example.prompt));
  const predictions = predictAll(router, prepared.costModel, { examples: heldOut, embeddings, promptTokens: heldOut.map(() => 5), models });
  let mathGap = 0;
  let chatGap = 0;
  heldOut.forEach((example, i) => {
    const [small, big] = predictions.quality[i]!;
    if (example.task === "math") mathGap += (big! - small!) / 30;
    else chatGap += Math.abs(big! - small!) / 30;
  });
  assert.ok(mathGap > 0.6, `big should be predicted much better on math (gap ${mathGap})`);
  assert.ok(chatGap < 0.2, `models should be predicted alike on chat (gap ${chatGap})`);
});

test("task-knn tuning is deterministic and its state round-trips", async () => {
  const prepared = await prepareTraining(train, models);
  const a = taskKnnRouterTrainer.train(prepared.data, { seed: 4 });
  const b = taskKnnRouterTrainer.train(prepared.data, { seed: 4 });
  assert.deepEqual(a.toState(), b.toState());
  const copy = taskKnnRouterTrainer.fromState(JSON.parse(JSON.stringify(a.toState())));
  const [embedding] = await prepared.embedder.embed(["solve the integral please prove"]);
  const input = { text: "solve the integral please prove", embedding: embedding!, promptTokens: 5 };
  assert.deepEqual([...copy.predictQuality(input)], [...a.predictQuality(input)]);
  assert.throws(() => taskKnnRouterTrainer.train(prepared.data, { seed: 1, params: { taskK: 0 } }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config");
  const state = a.toState();
  assert.throws(() => taskKnnRouterTrainer.fromState({ ...state, tasks: [] }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
});
