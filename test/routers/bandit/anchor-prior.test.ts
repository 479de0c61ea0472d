import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../../src/core/random.js";
import { fitAnchorPrior, refineAnchorPrior, type AnchorPrior } from "../../../src/routers/bandit/anchor-prior.js";

const KNOWN = ["model-a", "model-b"];

/** A new model that answers like model-a, a bit better: quality 0.2 + 0.7·q_a (model-b says nothing about it). */
function rows(count: number, seed: number) {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => {
    const known = Float64Array.of(random(), random());
    return { known, reward: random() < 0.2 + 0.7 * known[0]! ? 1 : 0 };
  });
}

const error = (prior: AnchorPrior) => Math.abs(prior.intercept - 0.2) + Math.abs(prior.weights["model-a"]! - 0.7) + Math.abs(prior.weights["model-b"]!);

test("served outcomes refine a read-out fitted on a few anchors toward the new model's real relation to the incumbents", () => {
  let prior = fitAnchorPrior(rows(10, 1), KNOWN, 5);
  const fromAnchors = error(prior);
  for (const row of rows(3000, 2)) prior = refineAnchorPrior(prior, KNOWN, row.known, row.reward);
  assert.ok(error(prior) < 0.1 && error(prior) < fromAnchors / 3, `coefficient error ${error(prior).toFixed(3)} after 3,000 outcomes, ${fromAnchors.toFixed(3)} from the anchors`);
  // Refining solves the ridge normal equations of every row so far: the order of the outcomes does not matter.
  const anchors = fitAnchorPrior(rows(10, 3), KNOWN, 5);
  const served = rows(40, 4);
  const inOrder = served.reduce((read, row) => refineAnchorPrior(read, KNOWN, row.known, row.reward), anchors);
  const reversed = [...served].reverse().reduce((read, row) => refineAnchorPrior(read, KNOWN, row.known, row.reward), anchors);
  assert.ok(Math.abs(inOrder.intercept - reversed.intercept) < 1e-9 && Math.abs(inOrder.weights["model-a"]! - reversed.weights["model-a"]!) < 1e-9);
  assert.notEqual(inOrder.intercept, anchors.intercept);
});

test("a read-out stored without its statistics stays as it is; a column whose model was removed reads 0", () => {
  const bare: AnchorPrior = { intercept: 0.3, weights: { "model-a": 0.5, "model-b": 0.1 } };
  assert.equal(refineAnchorPrior(bare, KNOWN, Float64Array.of(1, 1), 0), bare);
  const prior = fitAnchorPrior(rows(20, 5), KNOWN, 5);
  // model-b is gone: the outcome is recorded with q_b = 0, and the read-out keeps both columns.
  const refined = refineAnchorPrior(prior, ["model-a"], Float64Array.of(0.8), 1);
  assert.deepEqual(refined.models, KNOWN);
  assert.deepEqual(Object.keys(refined.weights), KNOWN);
  assert.notEqual(refined.intercept, prior.intercept);
  assert.equal(refined.right!.length, 3);
  assert.equal(refined.right![2], prior.right![2], "a 0 column adds nothing to its right-hand side");
});
