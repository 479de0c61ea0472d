import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../../src/core/random.js";
import { ArmModel, type FeatureEntries } from "../../../src/routers/bandit/arm-model.js";

function featuresOf(values: readonly number[]): FeatureEntries {
  return { indices: Int32Array.from(values.keys()), values: Float32Array.from(values), count: values.length };
}

/**
 * A long discounted stream (γ 0.99, the default, over more steps than one MMLU run streams): the arm's
 * incrementally kept B⁻¹ and θ must agree with a re-inversion of its own Gram matrix (a model rebuilt from
 * its state). The scale s = γ^t reaches 1e-16 after ~3,700 steps; while it was folded in only below 1e-100, the
 * rank-1 updates' rounding errors (absolute, from when B⁻¹ was O(1/λ)) outgrew the true B⁻¹ (O(s/λ)) and
 * the posterior means ran off to ±1e22 (BENCHMARKS.md, "Online learning: MMLU diagnosis").
 */
test("a discounted arm's incremental posterior matches a re-inversion of its Gram matrix after 8,000 steps", () => {
  const p = 18;
  const random = createRandom(7);
  const arm = new ArmModel(p, 30);
  const truth = Array.from({ length: p }, () => random() - 0.5);
  const draw = () => {
    const values = Array.from({ length: p }, () => (random() - 0.5) / Math.sqrt(p));
    values[p - 1] = 1; // the bias feature every prompt carries
    return values;
  };
  for (let t = 0; t < 8_000; t++) {
    arm.discount(0.99);
    arm.topUp();
    const values = draw();
    const signal = values.reduce((sum, v, i) => sum + v * truth[i]!, 0);
    arm.update(featuresOf(values), (random() < 0.5 + signal / 4 ? 1 : 0) - 0.5);
  }
  const rebuilt = new ArmModel(p, 30, arm.toState());
  for (let k = 0; k < 20; k++) {
    const x = featuresOf(draw());
    const mean = arm.mean(x);
    assert.ok(Math.abs(mean) < 1, `a residual of a 0/1 reward stays within ±1, got ${mean}`);
    assert.ok(Math.abs(mean - rebuilt.mean(x)) < 1e-6, `mean ${mean} vs re-inverted ${rebuilt.mean(x)}`);
    assert.ok(Math.abs(arm.variance(x) - rebuilt.variance(x)) < 1e-6 * Math.max(1, rebuilt.variance(x)), `variance ${arm.variance(x)} vs re-inverted ${rebuilt.variance(x)}`);
  }
});

test("staggered arms re-invert on different updates, and staggering changes no prediction", () => {
  const p = 12;
  const random = createRandom(3);
  const arms = Array.from({ length: 12 }, (_, i) => {
    const arm = new ArmModel(p, 30);
    arm.staggerReinversion(i / 12);
    return arm;
  });
  const plain = new ArmModel(p, 30);
  let most = 0;
  for (let t = 0; t < 3_000; t++) {
    const before = arms.reduce((sum, arm) => sum + arm.reinversions, 0);
    for (const arm of arms) arm.discount(0.99);
    plain.discount(0.99);
    most = Math.max(most, arms.reduce((sum, arm) => sum + arm.reinversions, 0) - before);
    const values = Array.from({ length: p }, () => random() - 0.5);
    const reward = random() < 0.5 ? 0.5 : -0.5;
    arms[5]!.update(featuresOf(values), reward);
    plain.update(featuresOf(values), reward);
    arms[5]!.topUp();
    plain.topUp();
  }
  assert.equal(most, 1, "at most one arm re-inverts on any update");
  for (const arm of arms) assert.ok(arm.reinversions >= 2, `every arm still re-inverts (${arm.reinversions})`);
  for (let k = 0; k < 10; k++) {
    const x = featuresOf(Array.from({ length: p }, () => random() - 0.5));
    // Arm 5 (phase 5/12) saw the same stream as the unstaggered arm, re-inverting on other steps.
    assert.ok(Math.abs(arms[5]!.mean(x) - plain.mean(x)) < 1e-9, `mean ${arms[5]!.mean(x)} vs ${plain.mean(x)}`);
    assert.ok(Math.abs(arms[5]!.variance(x) - plain.variance(x)) < 1e-9 * Math.max(1, plain.variance(x)));
  }
});
