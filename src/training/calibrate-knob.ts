import type { KnobCalibration } from "../core/knob-calibration.js";
import type { PredictionMatrix } from "./predict.js";

/** Number of log-spaced willingness-to-pay values on the calibration grid (plus 0). */
const GRID_SIZE = 120;

/**
 * Mean spend of objective routing at each willingness-to-pay of a log grid, on predictions for held-out
 * training prompts (see {@link KnobCalibration}). The choice is made on predicted quality and cost, as
 * the engine makes it; the spend counted is the chosen model's **recorded** cost on that prompt when
 * `recordedCostUsd` has it (held-out training rows know what each model really cost), else the predicted
 * one. Counting recorded cost makes the expected spend an estimate of what routing will really spend:
 * on RouterBench the predicted cost of the pricey models is off by a factor of several on short prompts.
 * The grid spans from a hundredth of the smallest to a thousand times the largest predicted cost per unit
 * of quality, which covers every switch point. Spend is made non-decreasing with a running maximum to
 * absorb ties and noise.
 */
export function calibrateKnob(predictions: PredictionMatrix, recordedCostUsd?: readonly Float64Array[]): KnobCalibration {
  let minCost = Number.POSITIVE_INFINITY;
  let maxCost = 0;
  for (const row of predictions.costUsd) {
    for (const cost of row) {
      if (cost > 0 && cost < minCost) minCost = cost;
      if (cost > maxCost) maxCost = cost;
    }
  }
  if (!Number.isFinite(minCost) || maxCost <= 0) return { willingnessToPay: [0], spendUsd: [0] };
  const low = Math.log(minCost / 100);
  const high = Math.log(maxCost * 1000);
  const willingnessToPay = [0];
  for (let i = 0; i < GRID_SIZE; i++) willingnessToPay.push(Math.exp(low + ((high - low) * i) / (GRID_SIZE - 1)));
  const spendUsd: number[] = [];
  let running = 0;
  for (const wtp of willingnessToPay) {
    let total = 0;
    predictions.quality.forEach((quality, i) => {
      const cost = predictions.costUsd[i]!;
      let best = 0;
      let bestValue = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < quality.length; j++) {
        const value = wtp * quality[j]! - cost[j]!;
        if (value > bestValue + 1e-15 || (Math.abs(value - bestValue) <= 1e-15 && cost[j]! < cost[best]!)) {
          bestValue = value;
          best = j;
        }
      }
      const recorded = recordedCostUsd?.[i]?.[best];
      total += recorded !== undefined && Number.isFinite(recorded) ? recorded : cost[best]!;
    });
    running = Math.max(running, total / Math.max(1, predictions.quality.length));
    spendUsd.push(running);
  }
  return { willingnessToPay, spendUsd };
}
