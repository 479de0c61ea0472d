import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { Adam } from "../../src/math/adam.js";
import { choleskyFactor, choleskySolve } from "../../src/math/cholesky.js";
import { createCountSketch, createSketchScratch, sketchEntries } from "../../src/math/count-sketch.js";
import { trainWithEarlyStopping } from "../../src/math/early-stopping.js";
import { foldGramStatistics } from "../../src/math/gram-statistics.js";
import { kMeans } from "../../src/math/k-means.js";
import { fitLogistic } from "../../src/math/logistic-regression.js";
import { fitRidge } from "../../src/math/ridge-regression.js";
import { sigmoid } from "../../src/math/scalar-functions.js";
import { standardNormal } from "../../src/math/seeded-init.js";
import { sparseRowsOf } from "../../src/math/sparse-rows.js";

/** n rows of [x1, x2, 1] with targets y = 2·x1 − x2 + 0.5 + noise·N(0,1). */
function regressionRows(n: number, noise: number, seed: number) {
  const random = createRandom(seed);
  const embeddings: Float32Array[] = [];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x1 = standardNormal(random);
    const x2 = standardNormal(random);
    embeddings.push(Float32Array.from([x1, x2, 1]));
    y[i] = 2 * x1 - x2 + 0.5 + noise * standardNormal(random);
  }
  return { rows: sparseRowsOf({ embeddings }), y };
}

test("Cholesky solves a symmetric positive-definite system and refuses an indefinite one", () => {
  const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
  const factor = choleskyFactor(a, 3)!;
  const x = choleskySolve(factor, 3, Float64Array.from([2, 3, 4]), 1);
  const back = [0, 1, 2].map((i) => a[i * 3]! * x[0]! + a[i * 3 + 1]! * x[1]! + a[i * 3 + 2]! * x[2]!);
  back.forEach((value, i) => assert.ok(Math.abs(value - [2, 3, 4][i]!) < 1e-12));
  assert.equal(choleskyFactor(Float64Array.from([1, 2, 2, 1]), 2), null);
});

test("ridge from Gram statistics recovers the coefficients, and cross-validation shrinks noise", () => {
  const { rows, y } = regressionRows(500, 0.1, 1);
  const fold = new Int32Array(500).map((_, i) => i % 5);
  const fit = fitRidge(foldGramStatistics(rows, y, 1, fold, 5), { penalties: [1e-6], unpenalized: [2] });
  [2, -1, 0.5].forEach((expected, i) => assert.ok(Math.abs(fit.weights[i]! - expected) < 0.02, `weight ${i}: ${fit.weights[i]}`));
  // A pure-noise target: CV prefers the largest penalty on offer; a clean target the smallest.
  const random = createRandom(2);
  const noise = Float64Array.from({ length: 500 }, () => standardNormal(random));
  const both = new Float64Array(1000);
  for (let i = 0; i < 500; i++) {
    both[i * 2] = y[i]!;
    both[i * 2 + 1] = noise[i]!;
  }
  const chosen = fitRidge(foldGramStatistics(rows, both, 2, fold, 5), { penalties: [0.01, 1, 100, 10_000], unpenalized: [2] });
  assert.deepEqual(Array.from(chosen.penalties), [0.01, 10_000]);
  assert.ok(chosen.validationError[0]! < 0.02);
});

test("Böhning's logistic fit reaches a zero gradient of the penalised loss", () => {
  const random = createRandom(3);
  const embeddings: Float32Array[] = [];
  const y = new Float64Array(400);
  for (let i = 0; i < 400; i++) {
    const x = standardNormal(random);
    embeddings.push(Float32Array.from([x, 1]));
    y[i] = random() < sigmoid(1.5 * x - 0.5) ? 1 : 0;
  }
  const rows = sparseRowsOf({ embeddings });
  const statistics = foldGramStatistics(rows, y, 1, new Int32Array(400), 1)[0]!;
  const penalty = 2;
  const fit = fitLogistic({ rows, y, targets: 1, statistics, penalties: Float64Array.from([penalty]), unpenalized: new Set([1]), initial: new Float64Array(2), maxIterations: 500, tolerance: 1e-12 });
  const gradient = [0, 0];
  embeddings.forEach((x, i) => {
    const residual = y[i]! - sigmoid(x[0]! * fit.weights[0]! + fit.weights[1]!);
    gradient[0]! += residual * x[0]!;
    gradient[1]! += residual;
  });
  gradient[0]! -= penalty * fit.weights[0]!;
  assert.ok(Math.abs(gradient[0]!) < 1e-3 && Math.abs(gradient[1]!) < 1e-3, `gradient ${gradient}`);
  assert.ok(fit.weights[0]! > 1 && fit.weights[0]! < 2.2, `slope ${fit.weights[0]}`);
});

test("the count sketch is the identity when wide enough and otherwise merges buckets, indices ascending", () => {
  const identity = createCountSketch({ inputDimension: 8, outputDimension: 16, seed: 1 });
  assert.equal(identity.hashed, false);
  const sketch = createCountSketch({ inputDimension: 1000, outputDimension: 8, seed: 1 });
  assert.equal(sketch.hashed, true);
  const indices = Int32Array.from({ length: 50 }, (_, i) => i * 20);
  const values = Float32Array.from({ length: 50 }, () => 1);
  const outIndices = new Int32Array(50);
  const outValues = new Float32Array(50);
  const count = sketchEntries(sketch, { indices, values }, createSketchScratch(sketch), outIndices, outValues);
  assert.ok(count <= 8);
  for (let i = 1; i < count; i++) assert.ok(outIndices[i]! > outIndices[i - 1]!);
  let total = 0;
  for (let i = 0; i < count; i++) total += outValues[i]!;
  let expected = 0;
  for (const j of indices) expected += sketch.sign[j]!;
  assert.equal(total, expected);
});

test("k-means++ finds well-separated blobs, deterministically", () => {
  const random = createRandom(4);
  const centres = [[5, 0, 0], [0, 5, 0], [0, 0, 5]];
  const embeddings = Array.from({ length: 300 }, (_, i) => Float32Array.from(centres[i % 3]!, (c) => c + 0.3 * standardNormal(random)));
  const rows = sparseRowsOf({ embeddings });
  const first = kMeans(rows, { k: 3, random: createRandom(9), maxIterations: 50 });
  const second = kMeans(rows, { k: 3, random: createRandom(9), maxIterations: 50 });
  assert.deepEqual(first.centroids, second.centroids);
  for (let i = 3; i < 300; i++) assert.equal(first.assignments[i], first.assignments[i % 3]);
  assert.equal(new Set(first.assignments).size, 3);
});

test("Adam minimises a quadratic, and row updates touch only the listed rows", () => {
  const parameters = Float32Array.from([3, -2]);
  const gradients = new Float32Array(2);
  const adam = new Adam(2, { learningRate: 0.1 });
  for (let step = 0; step < 500; step++) {
    gradients[0] = 2 * (parameters[0]! - 1);
    gradients[1] = 2 * (parameters[1]! + 1);
    adam.update(parameters, gradients);
  }
  assert.ok(Math.abs(parameters[0]! - 1) < 0.01 && Math.abs(parameters[1]! + 1) < 0.01);
  const matrix = Float32Array.from([1, 1, 1, 1, 1, 1]);
  const matrixGradients = Float32Array.from([1, 1, 1, 1, 1, 1]);
  new Adam(6, { learningRate: 0.5 }).updateRows(matrix, matrixGradients, Int32Array.from([1]), 1, 2);
  // The first Adam step moves each touched parameter by the learning rate against its gradient's sign.
  [1, 1, 0.5, 0.5, 1, 1].forEach((expected, i) => assert.ok(Math.abs(matrix[i]! - expected) < 1e-6, `entry ${i}: ${matrix[i]}`));
  assert.deepEqual(Array.from(matrixGradients), [1, 1, 0, 0, 1, 1]);
});

test("early stopping restores the best epoch's weights", () => {
  const losses = [5, 3, 2, 2.5, 2.6, 2.7, 1];
  let weights = 0;
  let saved = -1;
  const report = trainWithEarlyStopping({
    maxEpochs: 7,
    patience: 2,
    runEpoch: (epoch) => (weights = epoch),
    validationLoss: () => losses[weights - 1]!,
    snapshot: () => (saved = weights),
    restore: () => (weights = saved),
  });
  assert.deepEqual(report, { epochsRun: 5, bestEpoch: 3, bestValidationLoss: 2 });
  assert.equal(weights, 3);
});
