import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import type { RoutingExample } from "../../src/data/routing-example.js";
import { knnRouterTrainer, type KnnRouter } from "../../src/routers/knn/index.js";
import { NeighbourCostPredictor } from "../../src/routers/knn/neighbour-cost.js";
import { predictAll } from "../../src/training/predict.js";
import { prepareTraining } from "../../src/training/training-set.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

/**
 * The synthetic set with output-length-driven costs: `big` writes long answers to math prompts
 * ($0.01) and short ones to chat prompts ($0.001), at the same prompt length, so a line in prompt
 * tokens cannot tell them apart; `small` always costs $0.0001.
 */
function withVerboseCosts(examples: RoutingExample[]): RoutingExample[] {
  return examples.map((example) => ({
    ...example,
    outcomes: {
      small: { ...example.outcomes.small!, costUsd: 0.0001 },
      big: { ...example.outcomes.big!, costUsd: example.task === "math" ? 0.01 : 0.001 },
    },
  }));
}

const train = withVerboseCosts(syntheticRoutingExamples(200, 1, "train"));
const heldOut = withVerboseCosts(syntheticRoutingExamples(40, 2, "test"));
const fixedParams = { k: 10, power: 1, priorWeight: 1 };

async function heldOutSet(prepared: Awaited<ReturnType<typeof prepareTraining>>) {
  const prompts = heldOut.map((example) => example.prompt);
  const testPrepared = await prepareTraining(heldOut, ["small", "big"]);
  return { ...testPrepared.data, embeddings: await prepared.embedder.embed(prompts), sparseEmbeddings: undefined };
}

test("cost: neighbours predicts the output-length part of cost that the prompt-token line cannot see", async () => {
  const prepared = await prepareTraining(train, ["small", "big"]);
  const router = knnRouterTrainer.train(prepared.data, { seed: 1, params: { ...fixedParams, cost: "neighbours" } });
  assert.ok(router.predictCostUsd, "the router predicts its own cost");
  const data = await heldOutSet(prepared);
  const predictions = predictAll(router, prepared.costModel, data);
  let mathCost = 0;
  let chatCost = 0;
  let lineError = 0;
  let ownError = 0;
  heldOut.forEach((example, i) => {
    const big = predictions.costUsd[i]![1]!;
    if (example.task === "math") mathCost += big / 20;
    else chatCost += big / 20;
    lineError += Math.abs(prepared.costModel.predict("big", data.promptTokens[i]!) - example.outcomes.big!.costUsd);
    ownError += Math.abs(big - example.outcomes.big!.costUsd);
  });
  assert.ok(mathCost > 0.008 && chatCost < 0.003, `big's cost should follow the task (math ${mathCost}, chat ${chatCost})`);
  assert.ok(ownError < lineError / 3, `neighbour costs should beat the line (${ownError} vs ${lineError})`);
});

test("the cost option leaves quality predictions unchanged, and the state round-trips", async () => {
  const prepared = await prepareTraining(train, ["small", "big"]);
  const plain = knnRouterTrainer.train(prepared.data, { seed: 1, params: fixedParams });
  const withCost = knnRouterTrainer.train(prepared.data, { seed: 1, params: { ...fixedParams, cost: "neighbours", costK: 30 } }) as KnnRouter;
  assert.equal(plain.predictCostUsd, undefined);
  const copy = knnRouterTrainer.fromState(JSON.parse(JSON.stringify(withCost.toState())));
  const data = await heldOutSet(prepared);
  for (let i = 0; i < 10; i++) {
    const input = { text: heldOut[i]!.prompt, embedding: data.embeddings[i]!, promptTokens: data.promptTokens[i]! };
    assert.deepEqual([...withCost.predictQuality(input)], [...plain.predictQuality(input)]);
    assert.deepEqual([...copy.predictCostUsd!(input)], [...withCost.predictCostUsd!(input)]);
    // Asked in the other order (cost first) on a fresh input object, the answers are the same.
    const again = { ...input };
    assert.deepEqual([...copy.predictCostUsd!(again)], [...withCost.predictCostUsd!(input)]);
    assert.deepEqual([...copy.predictQuality(again)], [...plain.predictQuality(input)]);
  }
  assert.equal(withCost.costPredictor?.k, 30);
});

test("a corrupt cost state and bad cost or criterion parameters are clear errors", async () => {
  const prepared = await prepareTraining(train.slice(0, 40), ["small", "big"]);
  const state = knnRouterTrainer.train(prepared.data, { seed: 1, params: { ...fixedParams, cost: "neighbours" } }).toState();
  const cost = state.cost as Record<string, unknown>;
  assert.throws(() => knnRouterTrainer.fromState({ ...state, cost: { ...cost, residuals: Buffer.from(new Float32Array(3).buffer).toString("base64") } }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact" && /residuals/.test(error.message));
  assert.throws(() => NeighbourCostPredictor.fromState({ k: 0 }, ["a"], 1), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
  assert.throws(() => knnRouterTrainer.train(prepared.data, { seed: 1, params: { cost: "exact" } }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /cost/.test(error.message));
  assert.throws(() => knnRouterTrainer.train(prepared.data, { seed: 1, params: { criterion: "apgr" } }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /criterion/.test(error.message));
});

test("criterion: selection tunes by the cross-validation criterion and records it", async () => {
  const prepared = await prepareTraining(train, ["small", "big"]);
  const router = knnRouterTrainer.train(prepared.data, { seed: 3, params: { criterion: "selection" } });
  const tuning = (router.toState() as { tuning?: { criterion?: string; bestScore?: number } }).tuning;
  assert.match(tuning?.criterion ?? "", /selection score/);
  // Two models: the score is an APGR, which is ≥ 0.5 for a router better than random on this easy set.
  assert.ok((tuning?.bestScore ?? 0) > 0.5, `APGR ${tuning?.bestScore}`);
  const again = knnRouterTrainer.train(prepared.data, { seed: 3, params: { criterion: "selection" } });
  assert.deepEqual(again.toState(), router.toState());
});
