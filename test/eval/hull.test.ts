import assert from "node:assert/strict";
import { test } from "node:test";
import { nonDecreasingConvexHull } from "../../src/eval/hull.js";

const p = (costUsd: number, quality: number) => ({ costUsd, quality });

test("hull drops dominated points, points under a chord and points after the max quality", () => {
  const hull = nonDecreasingConvexHull([p(3, 0.9), p(2, 0.6), p(1, 0.5), p(4, 0.85), p(2, 0.4), p(1, 0.3)]);
  // (2, 0.6) lies under the chord (1,0.5)–(3,0.9) whose height at 2 is 0.7; (4, 0.85) is after the max.
  assert.deepEqual(hull, [p(1, 0.5), p(3, 0.9)]);
});

test("hull drops the middle of collinear points", () => {
  assert.deepEqual(nonDecreasingConvexHull([p(1, 0.5), p(2, 0.75), p(3, 1)]), [p(1, 0.5), p(3, 1)]);
  assert.deepEqual(nonDecreasingConvexHull([p(1, 0.5), p(2, 0.75), p(3, 1), p(4, 1)]), [p(1, 0.5), p(3, 1)]);
});

test("hull keeps concave vertices above the chord", () => {
  assert.deepEqual(nonDecreasingConvexHull([p(1, 0.5), p(2, 0.8), p(3, 0.9)]), [p(1, 0.5), p(2, 0.8), p(3, 0.9)]);
});

test("hull is cut at the cheapest max-quality point so it never decreases", () => {
  assert.deepEqual(nonDecreasingConvexHull([p(1, 0.2), p(2, 0.8), p(5, 0.6)]), [p(1, 0.2), p(2, 0.8)]);
  assert.deepEqual(nonDecreasingConvexHull([p(1, 0.5), p(2, 0.8), p(3, 0.8)]), [p(1, 0.5), p(2, 0.8)]);
});

test("hull always starts at the cheapest point, even a poor one", () => {
  assert.deepEqual(nonDecreasingConvexHull([p(10, 0.9), p(5, 0.05), p(1, 0.1)]), [p(1, 0.1), p(10, 0.9)]);
  // The cheapest point dominates everything: a one-point hull.
  assert.deepEqual(nonDecreasingConvexHull([p(2, 0.4), p(1, 0.9), p(3, 0.5)]), [p(1, 0.9)]);
});

test("hull of one point, of no points, and of non-finite points", () => {
  assert.deepEqual(nonDecreasingConvexHull([p(1, 0.5)]), [p(1, 0.5)]);
  assert.deepEqual(nonDecreasingConvexHull([]), []);
  assert.deepEqual(nonDecreasingConvexHull([p(Number.NaN, 1), p(1, 0.5)]), [p(1, 0.5)]);
});

test("hull does not mutate its input", () => {
  const points = [p(3, 0.9), p(1, 0.5)];
  nonDecreasingConvexHull(points);
  assert.deepEqual(points, [p(3, 0.9), p(1, 0.5)]);
});
