import assert from "node:assert/strict";
import { test } from "node:test";
import { rankByObjective } from "../../src/core/objective.js";
import { createRandom } from "../../src/core/random.js";
import { outcomeMatrix } from "../../src/eval/outcome-matrix.js";
import { createSweepContext, pickByObjective, pickByQuality, sweepRouter, type SweepContext } from "../../src/eval/sweep.js";
import { willingnessToPayGrid, willingnessToPayLabel } from "../../src/eval/willingness-to-pay-grid.js";
import { near, toyExamples, toyFixedRouter, toyInput, toyModels, toyObjectiveRouter } from "./toy.js";

function toyContext(willingnessToPay: number[]): SweepContext {
  return { ...createSweepContext(toyInput()), willingnessToPay };
}

test("the wtp sweep on the 3 × 2 toy picks the hand-computed models and true means", () => {
  const sweep = sweepRouter(toyObjectiveRouter(), toyContext([0, 10, 100, 150, 1000]));
  const wtpPoints = sweep.points.filter((point) => point.kind === "wtp");
  assert.deepEqual(
    wtpPoints.map((point) => point.label),
    ["wtp=0", "wtp=10", "wtp=100", "wtp=150", "wtp=1e+03"],
  );
  assert.deepEqual(
    sweep.choices.slice(0, 5).map((chosen) => Array.from(chosen)),
    [
      [0, 0, 0],
      [0, 0, 0],
      [0, 1, 0], // e2 switches above 12.86
      [0, 1, 1], // e3 above 120
      [1, 1, 1], // e1 above 180
    ],
  );
  const expected = [
    [4 / 3, 1 / 3, 0],
    [4 / 3, 1 / 3, 0],
    [13 / 3, 2 / 3, 1 / 3],
    [31 / 3, 2 / 3, 2 / 3],
    [40 / 3, 2 / 3, 1],
  ];
  wtpPoints.forEach((point, index) => {
    const [cost, quality, share] = expected[index] as [number, number, number];
    near(point.meanCostUsd, cost, `${point.label} cost`);
    near(point.meanQuality, quality, `${point.label} quality`);
    near(point.strongShare, share, `${point.label} strong share`);
  });
});

test("the percentile sweep sends the top x% by predicted gain to the strong model", () => {
  const sweep = sweepRouter(toyObjectiveRouter(), toyContext([0]));
  const percentile = sweep.points.map((point, index) => ({ point, chosen: sweep.choices[index] as Int32Array })).filter(({ point }) => point.kind === "strong-percentile");
  assert.equal(percentile.length, 101);
  const at = (label: string) => percentile.find(({ point }) => point.label === label);
  // Gains: e1 0.05, e2 0.7, e3 0.15 → order e2, e3, e1; round(3x/100) examples go strong.
  assert.deepEqual(Array.from(at("strong=0%")?.chosen ?? []), [0, 0, 0]);
  assert.deepEqual(Array.from(at("strong=16%")?.chosen ?? []), [0, 0, 0]);
  assert.deepEqual(Array.from(at("strong=17%")?.chosen ?? []), [0, 1, 0]);
  assert.deepEqual(Array.from(at("strong=50%")?.chosen ?? []), [0, 1, 1]);
  assert.deepEqual(Array.from(at("strong=84%")?.chosen ?? []), [1, 1, 1]);
  assert.equal(at("strong=50%")?.point.strongPercent, 50);
  near(at("strong=50%")?.point.strongShare, 2 / 3);
});

test("knob points use willingnessToPayForKnob of the calibration", () => {
  const calibration = { willingnessToPay: [0, 100, 200], spendUsd: [1, 5, 9] };
  const sweep = sweepRouter(toyObjectiveRouter({ calibration }), toyContext([0]));
  const knobs = sweep.points.filter((point) => point.kind === "knob");
  assert.equal(knobs.length, 21);
  assert.equal(knobs[0]?.label, "knob=0");
  assert.equal(knobs[1]?.label, "knob=0.05");
  const knob = (value: number) => knobs.find((point) => point.knob === value);
  assert.equal(knob(0.25)?.label, "knob=0.25");
  near(knob(0.25)?.willingnessToPay, 50); // spend 3 is halfway between 1 (wtp 0) and 5 (wtp 100)
  near(knob(0.25)?.meanCostUsd, 13 / 3);
  near(knob(0.75)?.willingnessToPay, 150);
  near(knob(0.75)?.meanCostUsd, 31 / 3);
  near(knob(1)?.meanCostUsd, 40 / 3);
});

test("a router that ignores the objective has one `fixed` point: its argmax predicted quality", () => {
  const sweep = sweepRouter(toyFixedRouter(), toyContext([0, 10, 1000]));
  assert.equal(sweep.points.length, 1);
  assert.equal(sweep.points[0]?.label, "fixed");
  assert.deepEqual(Array.from(sweep.choices[0] ?? []), [1, 1, 1]);
  near(sweep.points[0]?.meanCostUsd, 40 / 3);
  near(sweep.points[0]?.meanQuality, 2 / 3);
});

test("ties follow rankByObjective: cheaper predicted cost, then model id", () => {
  const models = ["b-model", "a-model"];
  // 2·0.5 − 2 = −1 = 2·1 − 3: equal objectives → cheaper (index 0).
  assert.equal(pickByObjective(Float64Array.from([0.5, 1]), Float64Array.from([2, 3]), models, 2), 0);
  // Equal objectives and costs → smaller id ("a-model", index 1).
  assert.equal(pickByObjective(Float64Array.from([0.5, 0.5]), Float64Array.from([1, 1]), models, 3), 1);
  assert.equal(pickByQuality(Float64Array.from([0.7, 0.7]), Float64Array.from([2, 1]), models), 1);
  assert.equal(pickByQuality(Float64Array.from([0.7, 0.7]), Float64Array.from([1, 1]), models), 1);
  assert.equal(pickByQuality(Float64Array.from([0.8, 0.7]), Float64Array.from([9, 1]), models), 0);
});

test("pickByObjective agrees with rankByObjective on random inputs with many ties", () => {
  const random = createRandom(7);
  const models = ["m3", "m1", "m4", "m0", "m2"];
  for (let trial = 0; trial < 2000; trial++) {
    const quality = Float64Array.from(models, () => Math.floor(random() * 3) / 2);
    const costUsd = Float64Array.from(models, () => Math.floor(random() * 3));
    const wtp = [0, 1, 2, 4][Math.floor(random() * 4)] as number;
    const ranked = rankByObjective(
      models.map((model, m) => ({ model, predictedQuality: quality[m] ?? 0, predictedCostUsd: costUsd[m] ?? 0 })),
      wtp,
    );
    assert.equal(models[pickByObjective(quality, costUsd, models, wtp)], ranked[0]?.model);
  }
});

test("the wtp grid: 0 then 60 log-spaced 3-significant-digit values from 1e-3 × min cost to 1e3 × max cost", () => {
  const grid = willingnessToPayGrid(outcomeMatrix(toyExamples(), toyModels));
  assert.equal(grid.length, 61);
  assert.equal(grid[0], 0);
  assert.equal(grid[1], 0.001);
  assert.equal(grid[60], 20000);
  for (let i = 1; i < grid.length; i++) assert.ok((grid[i] ?? 0) > (grid[i - 1] ?? 0));
  const labels = grid.map(willingnessToPayLabel);
  assert.equal(new Set(labels).size, labels.length);
  for (const value of grid) assert.equal(Number(willingnessToPayLabel(value).slice(4)), value);
});

test("a malformed router is rejected with the field named", () => {
  const context = toyContext([0]);
  const short = toyObjectiveRouter({ quality: toyObjectiveRouter().quality.slice(0, 2) });
  assert.throws(() => sweepRouter(short, context), (error: Error & { code?: string }) => error.code === "invalid_config" && /quality: expected 3 rows/.test(error.message));
  const nan = toyObjectiveRouter();
  (nan.costUsd[1] as Float64Array)[0] = Number.NaN;
  assert.throws(() => sweepRouter(nan, context), /costUsd\[1\]\[0\]: expected a finite number/);
});
