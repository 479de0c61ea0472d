import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { ReferencePacer } from "../../src/simulation/reference-pacer.js";

/** A reference's per-step costs: heavy-tailed, like a router choosing between cheap and dear models. */
function referenceCosts(steps: number, seed: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: steps }, () => (random() < 0.2 ? 0.005 : 0.0003) * (0.5 + random()));
}

/** Runs a toy router whose cost at step t is the reference's × scale × (wtp multiplier)^elasticity. */
function run(costs: readonly number[], scale: number, elasticity = 1) {
  const pacer = new ReferencePacer(costs);
  let spent = 0;
  let spentAtHalf = 0;
  let refused = 0;
  const multipliers: number[] = [];
  costs.forEach((reference, t) => {
    const multiplier = pacer.willingnessToPay(1, t);
    multipliers.push(multiplier);
    const cost = reference * scale * multiplier ** elasticity;
    if (cost > pacer.maxCostUsd(t)) {
      refused++;
      pacer.record(0, t);
    } else {
      spent += cost;
      pacer.record(cost, t, cost);
    }
    if (t === costs.length / 2 - 1) spentAtHalf = spent;
  });
  return { spent, spentAtHalf, refused, multipliers };
}

test("a router that spends exactly what the reference spends is never moved: the device costs it nothing", () => {
  const costs = referenceCosts(4000, 1);
  const { multipliers, refused, spent } = run(costs, 1);
  assert.ok(multipliers.every((multiplier) => multiplier === 1), "the willingness-to-pay moved");
  assert.equal(refused, 0);
  assert.ok(Math.abs(spent - costs.reduce((a, b) => a + b, 0)) < 1e-12);
});

test("a router that would spend twice the reference is held to it step by step; one that would spend half is raised", () => {
  const costs = referenceCosts(4000, 2);
  const total = costs.reduce((a, b) => a + b, 0);
  const half = costs.slice(0, 2000).reduce((a, b) => a + b, 0);
  const dear = run(costs, 2);
  assert.ok(dear.spent <= total, `spent ${dear.spent} of ${total}`);
  assert.ok(dear.spent >= 0.97 * total, `spent only ${dear.spent} of ${total}`);
  assert.ok(Math.abs(dear.spentAtHalf - half) < 0.05 * half, `at half: ${dear.spentAtHalf} vs the reference's ${half}`);
  assert.ok(dear.refused < 20, `${dear.refused} refused`);
  assert.ok(Math.abs(dear.multipliers.at(-1)! - 0.5) < 0.1, `multiplier ${dear.multipliers.at(-1)} (0.5 holds a 2× spender)`);
  const thrifty = run(costs, 0.5, 0.5);
  assert.ok(thrifty.spent <= total && thrifty.spent >= 0.95 * total, `spent ${thrifty.spent} of ${total}`);
  assert.ok(thrifty.multipliers.at(-1)! > 2, `multiplier ${thrifty.multipliers.at(-1)}`);
});

test("a reference that spent nothing leaves the router nothing to spend and does not divide by zero", () => {
  const pacer = new ReferencePacer([0, 0, 0]);
  assert.equal(pacer.maxCostUsd(0), 0);
  pacer.record(0, 0);
  assert.equal(pacer.willingnessToPay(2, 1), 2);
});
