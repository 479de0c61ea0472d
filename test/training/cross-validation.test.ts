import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { complementOf, kFoldIndices, outOfFoldPredictions, selectionScore } from "../../src/training/cross-validation.js";
import { prepareTraining } from "../../src/training/training-set.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

test("kFoldIndices partitions every row exactly once, in near-equal folds, deterministically", () => {
  const folds = kFoldIndices(23, 5, createRandom(3));
  assert.equal(folds.length, 5);
  const all = folds.flat().sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 23 }, (_, i) => i));
  for (const fold of folds) assert.ok(fold.length === 4 || fold.length === 5);
  assert.deepEqual(kFoldIndices(23, 5, createRandom(3)), folds);
  assert.notDeepEqual(kFoldIndices(23, 5, createRandom(4)), folds);
  assert.deepEqual(complementOf(6, [1, 4]), [0, 2, 3, 5]);
});

test("out-of-fold predictions come from models that never saw the held-out rows", async () => {
  const examples = syntheticRoutingExamples(40, 1, "train");
  const prepared = await prepareTraining(examples, ["small", "big"]);
  const folds = kFoldIndices(40, 4, createRandom(9));
  const seen: string[][] = [];
  const predictions = outOfFoldPredictions(prepared.data, folds, (fit, heldOut) => {
    const fitIds = new Set(fit.examples.map((example) => example.id));
    for (const example of heldOut.examples) assert.ok(!fitIds.has(example.id), `${example.id} leaked into its own fold's training`);
    seen.push(heldOut.examples.map((example) => example.id));
    // Predict each held-out row's own index so the reassembly order can be checked.
    return heldOut.examples.map((example) => Float64Array.of(Number(example.id.split("-")[1]), fit.examples.length));
  });
  assert.equal(seen.length, 4);
  predictions.forEach((row, i) => {
    assert.equal(row[0], i);
    assert.equal(row[1], 30);
  });
});

test("selectionScore is APGR on two-model sets and AIQ otherwise", async () => {
  const examples = syntheticRoutingExamples(40, 5, "train");
  const costUsd = examples.map(() => Float64Array.of(0.0001, 0.002));
  const perfect = examples.map((example) => Float64Array.of(example.outcomes.small!.score, example.outcomes.big!.score));
  const flat = examples.map(() => Float64Array.of(0.5, 0.5));
  const good = selectionScore(examples, ["small", "big"], { quality: perfect, costUsd });
  const none = selectionScore(examples, ["small", "big"], { quality: flat, costUsd });
  assert.ok(good > 0.8 && good <= 1.2, `APGR of perfect predictions ${good}`);
  assert.ok(good > none);
  const three = examples.map((example) => ({ ...example, outcomes: { ...example.outcomes, mid: { score: 0.5, costUsd: 0.001 } } }));
  const aiq = selectionScore(three, ["small", "big", "mid"], { quality: three.map((_, i) => Float64Array.of(perfect[i]![0]!, perfect[i]![1]!, 0.5)), costUsd: three.map(() => Float64Array.of(0.0001, 0.002, 0.001)) });
  assert.ok(aiq > 0 && aiq <= 1, `AIQ ${aiq}`);
});
