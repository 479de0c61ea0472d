import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluate, evaluateWithSweeps } from "../../src/eval/evaluate.js";
import { reportToJson } from "../../src/eval/report-json.js";
import { near, toyExamples, toyFixedRouter, toyInput, toyObjectiveRouter } from "./toy.js";

test("evaluate on the toy: singles, best single, zero router and oracle", () => {
  const report = evaluate(toyInput());
  assert.equal(report.counts.examples, 3);
  assert.deepEqual(report.singles.map((single) => single.model), ["cheap", "pricey"]);
  near(report.singles[0]?.meanCostUsd, 4 / 3);
  near(report.singles[0]?.meanQuality, 1 / 3);
  near(report.singles[1]?.meanCostUsd, 40 / 3);
  near(report.singles[1]?.meanQuality, 2 / 3);
  assert.equal(report.bestSingle.model, "pricey");
  near(report.costRangeUsd.min, 4 / 3);
  near(report.costRangeUsd.max, 40 / 3);
  // Zero router: the straight line from cheap to pricey, mean height 0.5.
  assert.equal(report.zeroRouter.hull.length, 2);
  near(report.zeroRouter.aiq, 0.5);
  // Oracle: (4/3, 1/3) → (13/3, 2/3), then flat: (3 · 0.5 + 9 · 2/3) / 12 = 0.625.
  near(report.oracle.point.meanCostUsd, 13 / 3);
  near(report.oracle.point.meanQuality, 2 / 3);
  near(report.oracle.aiq, 0.625);
  assert.equal(report.twoModel?.strong, "pricey");
  assert.equal(report.twoModel?.weak, "cheap");
});

test("evaluate on the toy: the objective router's metrics", () => {
  const report = evaluate(toyInput());
  const knn = report.routers.find((router) => router.name === "knn");
  assert.ok(knn);
  // 61 wtp points + 101 strong=x% points.
  assert.equal(knn.points.length, 61 + 101);
  // Its hull is the oracle's: the grid has wtp values in (12.86, 120).
  assert.equal(knn.hull.length, 2);
  near(knn.aiq, 0.625);
  near(knn.gapRecovered, 1);
  near(knn.qualityAtBestSingleCost, 2 / 3);
  near(knn.costFractionToMatchBestSingle, 13 / 40);
  // PGR curve over the percentile points: (0, 0), (1/3, 1), (2/3, 1), (1, 1) → 1/6 + 2/3.
  near(knn.apgr, 5 / 6);
  near(knn.cpt50, 1 / 3);
  near(knn.cpt80, 1 / 3);
});

test("evaluate on the toy: a fixed router gets no credit left of its own cost", () => {
  const report = evaluate(toyInput());
  const fixed = report.routers.find((router) => router.name === "best-single");
  assert.ok(fixed);
  assert.equal(fixed.points.length, 1);
  near(fixed.aiq, 0); // it only operates at cMax
  near(fixed.gapRecovered, (0 - 0.5) / 0.125);
  near(fixed.qualityAtBestSingleCost, 2 / 3);
  near(fixed.costFractionToMatchBestSingle, 1);
  near(fixed.apgr, 0.5); // its one point (share 1, PGR 1) plus (0, 0): the random line
  near(fixed.cpt50, 1);
});

test("knob spend: expected from the calibration vs realised true spend", () => {
  const calibration = { willingnessToPay: [0, 100, 200], spendUsd: [1, 5, 9] };
  const report = evaluate(toyInput([toyObjectiveRouter({ calibration, trainMs: 12, decideMsPerPrompt: 0.5 })]));
  const knn = report.routers[0];
  assert.ok(knn);
  assert.equal(knn.points.length, 61 + 21 + 101);
  assert.deepEqual(knn.knobSpend?.map((spend) => spend.knob), [0.25, 0.5, 0.75]);
  near(knn.knobSpend?.[0]?.expectedSpendUsd, 3);
  near(knn.knobSpend?.[0]?.realisedSpendUsd, 13 / 3);
  near(knn.knobSpend?.[1]?.expectedSpendUsd, 5);
  near(knn.knobSpend?.[1]?.willingnessToPay, 100);
  near(knn.knobSpend?.[1]?.realisedSpendUsd, 13 / 3);
  near(knn.knobSpend?.[2]?.expectedSpendUsd, 7);
  near(knn.knobSpend?.[2]?.realisedSpendUsd, 31 / 3);
  assert.equal(knn.trainMs, 12);
  assert.equal(knn.decideMsPerPrompt, 0.5);
});

test("sets of more than two models get no RouteLLM metrics", () => {
  const examples = toyExamples().map((example) => ({ ...example, outcomes: { ...example.outcomes, mid: { score: 0.5, costUsd: 5 } } }));
  const input = { ...toyInput([]), models: ["cheap", "pricey", "mid"], examples };
  const router = { name: "r", followsObjective: true, quality: [0, 1, 2].map(() => Float64Array.from([0.1, 0.9, 0.5])), costUsd: [0, 1, 2].map(() => Float64Array.from([1, 10, 5])) };
  const report = evaluate({ ...input, routers: [router] });
  assert.equal(report.twoModel, undefined);
  assert.equal(report.routers[0]?.apgr, undefined);
  assert.equal(report.routers[0]?.points.length, 61);
  assert.ok(report.routers[0]?.points.every((point) => point.strongShare === undefined));
});

test("the report is plain JSON: it survives a round trip unchanged", () => {
  const { report, sweeps } = evaluateWithSweeps(toyInput());
  assert.deepEqual(JSON.parse(reportToJson(report)), report);
  assert.equal(sweeps.length, 2);
  assert.equal(sweeps[0]?.choices.length, sweeps[0]?.points.length);
});

test("bad input is rejected with a stable code and the field named", () => {
  const missing = toyInput();
  delete (missing.examples[1] as { outcomes: Record<string, unknown> }).outcomes.pricey;
  assert.throws(() => evaluate(missing), (error: Error & { code?: string }) => error.code === "invalid_dataset" && /examples\[1\] \(id "e2"\): outcomes\.pricey: missing/.test(error.message));
  const badScore = toyInput();
  (badScore.examples[0]?.outcomes.cheap as { score: number }).score = Number.NaN;
  assert.throws(() => evaluate(badScore), /outcomes\.cheap\.score: expected a finite number/);
  assert.throws(() => evaluate(toyInput([toyFixedRouter("x"), toyFixedRouter("x")])), (error: Error & { code?: string }) => error.code === "invalid_config" && /"x" is used by two routers/.test(error.message));
  assert.throws(() => evaluate({ ...toyInput(), examples: [] }), /the test set is empty/);
  assert.throws(() => evaluate({ ...toyInput(), models: ["cheap", "cheap"] }), /listed twice/);
});
