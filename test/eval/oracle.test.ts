import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom, type Random } from "../../src/core/random.js";
import type { RoutingExample } from "../../src/data/routing-example.js";
import { evaluate } from "../../src/eval/evaluate.js";
import type { RouterPredictions } from "../../src/eval/evaluation-input.js";
import { nonDecreasingConvexHull } from "../../src/eval/hull.js";
import { aiq } from "../../src/eval/metrics.js";
import { oracleChoices, oracleCurve, oraclePoint } from "../../src/eval/oracle.js";
import { meanOutcomeOf, outcomeMatrix } from "../../src/eval/outcome-matrix.js";
import { near, toyExamples, toyModels } from "./toy.js";

function randomExamples(random: Random, exampleCount: number, models: string[], binary: boolean): RoutingExample[] {
  const price = models.map(() => 0.1 + random() * 10);
  return Array.from({ length: exampleCount }, (_, i) => ({
    id: `r${i}`,
    prompt: `prompt ${i}`,
    outcomes: Object.fromEntries(
      models.map((model, m) => [model, { score: binary ? (random() < 0.3 + 0.1 * m ? 1 : 0) : Math.round(random() * 4) / 4, costUsd: (price[m] ?? 1) * (0.5 + random()) * 1e-4 }]),
    ),
  }));
}

function randomRouter(random: Random, name: string, exampleCount: number, modelCount: number): RouterPredictions {
  const matrix = (scale: number) => Array.from({ length: exampleCount }, () => Float64Array.from({ length: modelCount }, () => random() * scale));
  return { name, followsObjective: true, quality: matrix(1), costUsd: matrix(1e-3) };
}

test("the oracle's point: best true score per example, ties → cheapest", () => {
  const truth = outcomeMatrix(toyExamples(), toyModels);
  assert.deepEqual(Array.from(oracleChoices(truth)), [0, 1, 0]);
  near(oraclePoint(truth).meanCostUsd, 13 / 3);
  near(oraclePoint(truth).meanQuality, 2 / 3);
});

test("the oracle's curve on the toy: from all-cheapest to the oracle point", () => {
  const curve = oracleCurve(outcomeMatrix(toyExamples(), toyModels));
  assert.equal(curve.length, 2);
  near(curve[0]?.costUsd, 4 / 3);
  near(curve[0]?.quality, 1 / 3);
  near(curve[1]?.costUsd, 13 / 3);
  near(curve[1]?.quality, 2 / 3);
});

test("the oracle's curve equals the hull of every possible per-example assignment (brute force)", () => {
  const random = createRandom(11);
  for (let trial = 0; trial < 20; trial++) {
    const models = ["a", "b", "c"];
    const examples = randomExamples(random, 5, models, trial % 2 === 0);
    const truth = outcomeMatrix(examples, models);
    const all = [];
    for (let code = 0; code < 3 ** 5; code++) {
      const chosen = Int32Array.from({ length: 5 }, (_, i) => Math.floor(code / 3 ** i) % 3);
      const mean = meanOutcomeOf(chosen, truth);
      all.push({ costUsd: mean.meanCostUsd, quality: mean.meanQuality });
    }
    const expected = nonDecreasingConvexHull(all);
    const curve = oracleCurve(truth);
    assert.equal(curve.length, expected.length, `trial ${trial}: vertex count`);
    curve.forEach((point, k) => {
      near(point.costUsd, expected[k]?.costUsd ?? Number.NaN, `trial ${trial} vertex ${k} cost`);
      near(point.quality, expected[k]?.quality ?? Number.NaN, `trial ${trial} vertex ${k} quality`);
    });
    const last = curve[curve.length - 1];
    near(last?.quality, oraclePoint(truth).meanQuality, `trial ${trial}: ends at the oracle's quality`);
    near(last?.costUsd, oraclePoint(truth).meanCostUsd, `trial ${trial}: ends at the oracle's cost`);
  }
});

test("property: AIQ(oracle) ≥ AIQ(any router) and AIQ(zero router) ≥ AIQ(any single model)", () => {
  const random = createRandom(2024);
  for (let trial = 0; trial < 25; trial++) {
    const modelCount = 2 + (trial % 4);
    const models = Array.from({ length: modelCount }, (_, m) => `model-${m}`);
    const exampleCount = 20 + Math.floor(random() * 60);
    const examples = randomExamples(random, exampleCount, models, trial % 3 !== 0);
    const routers = [randomRouter(random, "random-a", exampleCount, modelCount), randomRouter(random, "random-b", exampleCount, modelCount)];
    const report = evaluate({ dataset: `random-${trial}`, trainSplit: "train", testSplit: "test", models, examples, routers });
    const { min, max } = report.costRangeUsd;
    const tolerance = 1e-12;
    assert.ok(report.oracle.aiq + tolerance >= report.zeroRouter.aiq, `trial ${trial}: oracle ${report.oracle.aiq} < zero ${report.zeroRouter.aiq}`);
    for (const single of report.singles) {
      const singleAiq = aiq([{ costUsd: single.meanCostUsd, quality: single.meanQuality }], min, max);
      assert.ok(report.zeroRouter.aiq + tolerance >= singleAiq, `trial ${trial}: zero ${report.zeroRouter.aiq} < ${single.model} ${singleAiq}`);
    }
    for (const router of report.routers) {
      assert.ok(report.oracle.aiq + tolerance >= router.aiq, `trial ${trial}: oracle ${report.oracle.aiq} < ${router.name} ${router.aiq}`);
      assert.ok(router.gapRecovered === null || router.gapRecovered <= 1 + 1e-9, `trial ${trial}: gap recovered ${router.gapRecovered} > 1`);
    }
  }
});
