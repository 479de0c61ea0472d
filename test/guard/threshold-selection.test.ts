import assert from "node:assert/strict";
import { test } from "node:test";
import { thresholdForBestAccuracy, thresholdForInDomainAccuracy } from "../../src/guard/threshold-selection.js";
import { thresholdForRecall } from "../../src/guard/safety-training.js";

test("the in-domain accuracy threshold rejects as many as the accuracy budget allows", () => {
  const decisions = [
    { score: 0.9, correct: true, outOfDomain: false },
    { score: 0.8, correct: true, outOfDomain: false },
    { score: 0.7, correct: true, outOfDomain: false },
    { score: 0.6, correct: false, outOfDomain: false },
    { score: 0.3, correct: false, outOfDomain: true },
  ];
  // 3 of 4 correct: accuracy ≥ 0.5 allows rejecting one correct decision (the 0.7), so the threshold is 0.8.
  assert.equal(thresholdForInDomainAccuracy(decisions, 0.5), 0.8);
  assert.equal(thresholdForInDomainAccuracy(decisions, 0.75), 0.7);
  assert.equal(thresholdForInDomainAccuracy(decisions, 0.9), -Infinity);
});

test("the best-accuracy threshold separates the route's examples from out-of-domain ones", () => {
  const decisions = [
    { score: 0.9, correct: true, outOfDomain: false },
    { score: 0.7, correct: true, outOfDomain: false },
    { score: 0.4, correct: false, outOfDomain: true },
    { score: 0.2, correct: false, outOfDomain: true },
  ];
  const threshold = thresholdForBestAccuracy(decisions);
  assert.ok(threshold > 0.4 && threshold <= 0.7, String(threshold));
});

test("thresholdForRecall keeps the asked share of scores", () => {
  assert.equal(thresholdForRecall([0.9, 0.8, 0.2, 0.1], 0.5), 0.8);
  assert.equal(thresholdForRecall([0.9, 0.8, 0.2, 0.1], 1), 0.1);
});
