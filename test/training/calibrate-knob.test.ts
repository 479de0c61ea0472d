import assert from "node:assert/strict";
import { test } from "node:test";
import { calibrateKnob } from "../../src/training/calibrate-knob.js";

// Two models: "cheap" (quality 0.5, predicted $1) and "strong" (quality 1, predicted $10). Objective routing
// picks "strong" once wtp × 0.5 > 9, i.e. wtp > 18.
const predictions = {
  quality: [Float64Array.of(0.5, 1), Float64Array.of(0.5, 1)],
  costUsd: [Float64Array.of(1, 10), Float64Array.of(1, 10)],
};

test("the spend curve counts predicted cost when no recorded cost is given", () => {
  const calibration = calibrateKnob(predictions);
  assert.equal(calibration.spendUsd[0], 1);
  assert.equal(calibration.spendUsd.at(-1), 10);
  const switchAt = calibration.willingnessToPay[calibration.spendUsd.findIndex((spend) => spend === 10)]!;
  assert.ok(switchAt > 18 && switchAt < 18 * 1.2, `switch at ${switchAt}`);
});

test("the spend curve counts the chosen model's recorded cost, so expected spend estimates real spend", () => {
  // The strong model really cost $4 and $2 on these prompts (predicted $10); NaN = not recorded.
  const recorded = [Float64Array.of(0.5, 4), Float64Array.of(Number.NaN, 2)];
  const calibration = calibrateKnob(predictions, recorded);
  assert.equal(calibration.spendUsd[0], (0.5 + 1) / 2, "cheap: recorded $0.5, then predicted $1 where not recorded");
  assert.equal(calibration.spendUsd.at(-1), (4 + 2) / 2);
  // The choice itself is still made on predicted cost: the switch point does not move.
  const switchAt = calibration.willingnessToPay[calibration.spendUsd.findIndex((spend) => spend === 3)]!;
  assert.ok(switchAt > 18 && switchAt < 18 * 1.2, `switch at ${switchAt}`);
});
