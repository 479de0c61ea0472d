import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { trainWideMlp, WideMlp, type SparseInput } from "../../src/guard/wide-mlp.js";

/** Class c lights features 3c..3c+2 (plus a shared noisy feature 9); XOR-free, so an MLP must get it all right. */
function toyData(count: number, seed: number): { inputs: SparseInput[]; labels: number[] } {
  const random = createRandom(seed);
  const inputs: SparseInput[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    const a = 3 * label + Math.floor(random() * 3);
    inputs.push({ indices: Uint32Array.from([a, 9]), values: Float32Array.from([0.9, random() * 0.4]) });
    labels.push(label);
  }
  return { inputs, labels };
}

const options = { inputDimension: 10, classes: 3, hiddenUnits: 16, epochs: 30, learningRate: 0.02, batchSize: 8, dropout: 0.1 };

test("a WideMLP learns a toy three-class problem", () => {
  const { inputs, labels } = toyData(90, 1);
  const model = trainWideMlp(inputs, labels, { ...options, random: createRandom(7) });
  const test = toyData(30, 2);
  const correct = test.inputs.filter((input, i) => {
    const p = model.probabilities(input);
    return p.indexOf(Math.max(...p)) === test.labels[i];
  }).length;
  assert.equal(correct, 30);
});

test("training is deterministic under a seed, and the state round-trips", () => {
  const { inputs, labels } = toyData(60, 3);
  const first = trainWideMlp(inputs, labels, { ...options, epochs: 3, random: createRandom(5) });
  const second = trainWideMlp(inputs, labels, { ...options, epochs: 3, random: createRandom(5) });
  assert.deepEqual(first.inputWeights, second.inputWeights);
  const reloaded = WideMlp.fromState(JSON.parse(JSON.stringify(first.toState())));
  assert.deepEqual(reloaded.logits(inputs[0]!), first.logits(inputs[0]!));
});

test("a state whose sizes disagree is an invalid_artifact error", () => {
  const { inputs, labels } = toyData(30, 4);
  const state = { ...trainWideMlp(inputs, labels, { ...options, epochs: 1, random: createRandom(1) }).toState(), hiddenUnits: 17 };
  assert.throws(() => WideMlp.fromState(state), { code: "invalid_artifact" });
  assert.throws(() => WideMlp.fromState({ kind: "other" }), /wide-mlp state is invalid at kind/);
});
