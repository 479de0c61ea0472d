import assert from "node:assert/strict";
import { test } from "node:test";
import {
  aiq,
  averagePerformanceGapRecovered,
  callPerformanceThreshold,
  costToMatch,
  gapRecovered,
  performanceGapRecovered,
  pgrCurve,
  qualityAtCost,
} from "../../src/eval/metrics.js";
import { near } from "./toy.js";

const p = (costUsd: number, quality: number) => ({ costUsd, quality });
const hull = [p(1, 0.5), p(3, 0.9)];

test("AIQ of a piecewise-linear hull: (0.7·2 + 0.9·2) / 4 = 0.8", () => {
  near(aiq(hull, 1, 5), 0.8);
});

test("AIQ counts 0 left of the router's cheapest point", () => {
  // One point at (2, 0.6) over [1, 5]: 0 on [1, 2], 0.6 on [2, 5] → 1.8 / 4.
  near(aiq([p(2, 0.6)], 1, 5), 0.45);
  // (3, 0.5)–(5, 0.9) over [1, 5]: 0 on [1, 3], mean 0.7 on [3, 5] → 1.4 / 4.
  near(aiq([p(3, 0.5), p(5, 0.9)], 1, 5), 0.35);
  // A router that only operates beyond cMax gets nothing.
  near(aiq([p(6, 0.99)], 1, 5), 0);
});

test("AIQ interpolates where the range cuts a segment and extends flat to the right", () => {
  // Over [1, 3]: h(1) = 0.4; [1, 1.5] mean 0.5 → 0.25; [1.5, 3] flat 0.6 → 0.9; (0.25 + 0.9) / 2.
  near(aiq([p(0.5, 0.2), p(1.5, 0.6)], 1, 3), 0.575);
  // Zero-width range: the hull's height there.
  near(aiq(hull, 2, 2), 0.7);
  near(aiq([], 1, 5), 0);
});

test("qualityAtCost: null left of the cheapest point, linear inside, flat to the right", () => {
  assert.equal(qualityAtCost(hull, 0.5), null);
  near(qualityAtCost(hull, 1), 0.5);
  near(qualityAtCost(hull, 2), 0.7);
  near(qualityAtCost(hull, 3), 0.9);
  near(qualityAtCost(hull, 10), 0.9);
  assert.equal(qualityAtCost([], 1), null);
});

test("costToMatch: least cost reaching a quality, the first point's cost if it already does, null if never", () => {
  near(costToMatch(hull, 0.7), 2);
  near(costToMatch(hull, 0.9), 3);
  near(costToMatch(hull, 0.4), 1);
  assert.equal(costToMatch(hull, 0.95), null);
  assert.equal(costToMatch([], 0.1), null);
});

test("gapRecovered = (AIQ_router − AIQ_zero) / (AIQ_oracle − AIQ_zero)", () => {
  near(gapRecovered(0.7, 0.5, 0.9), 0.5);
  near(gapRecovered(0.4, 0.5, 0.9), -0.25);
  near(gapRecovered(0.9, 0.5, 0.9), 1);
  assert.equal(gapRecovered(0.5, 0.5, 0.5), null);
});

test("PGR = (q − q_weak) / (q_strong − q_weak)", () => {
  near(performanceGapRecovered(0.75, 0.5, 1), 0.5);
  near(performanceGapRecovered(0.5, 0.5, 1), 0);
  assert.equal(performanceGapRecovered(0.5, 0.6, 0.6), null);
});

test("APGR of a router exactly on the random line is 0.5", () => {
  const weak = 0.25;
  const strong = 0.75;
  const points = Array.from({ length: 9 }, (_, k) => ({ strongShare: (k + 1) / 10, quality: weak + ((k + 1) / 10) * (strong - weak) }));
  near(averagePerformanceGapRecovered(points, weak, strong), 0.5);
  // With no points at all, only the endpoints (0, 0) and (1, 1): the random line again.
  near(averagePerformanceGapRecovered([], weak, strong), 0.5);
});

test("APGR integrates the piecewise-linear PGR curve; a repeated share keeps its best PGR", () => {
  // (0,0) → (0.5,1) → (1,1): 0.25 + 0.5.
  near(averagePerformanceGapRecovered([{ strongShare: 0.5, quality: 1 }], 0, 1), 0.75);
  near(averagePerformanceGapRecovered([{ strongShare: 0.5, quality: 0.2 }, { strongShare: 0.5, quality: 1 }], 0, 1), 0.75);
  assert.deepEqual(pgrCurve([{ strongShare: 0.5, quality: 0.2 }, { strongShare: 0.5, quality: 1 }], 0, 1), [
    { strongShare: 0, pgr: 0 },
    { strongShare: 0.5, pgr: 1 },
    { strongShare: 1, pgr: 1 },
  ]);
  assert.equal(averagePerformanceGapRecovered([{ strongShare: 0.5, quality: 1 }], 0.5, 0.5), null);
});

test("CPT(x) is the least strong-call share whose PGR reaches x", () => {
  const points = [
    { strongShare: 0.25, quality: 0.25 },
    { strongShare: 0.5, quality: 0.625 },
    { strongShare: 0.75, quality: 0.875 },
  ];
  assert.equal(callPerformanceThreshold(points, 0, 1, 0.5), 0.5);
  assert.equal(callPerformanceThreshold(points, 0, 1, 0.8), 0.75);
  assert.equal(callPerformanceThreshold(points, 0, 1, 0.9), 1);
  assert.equal(callPerformanceThreshold(points, 0, 1, 1.5), null);
  assert.equal(callPerformanceThreshold(points, 0.5, 0.5, 0.5), null);
});
