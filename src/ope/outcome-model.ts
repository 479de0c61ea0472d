import type { OpeRow } from "./ope-row.js";

/** Where DR's outcome model comes from (see {@link outcomePredictions}). */
export type OutcomeModelKind = "calibrated" | "candidate";

/** Pseudo-rows pulling each model's calibration toward the identity (a model seen on few rows keeps the raw prediction). */
const PRIOR_ROWS = 10;

/** Predictions of an outcome for the candidate's choice and for the logged model, row by row. */
export interface OutcomePredictions {
  forCandidate: Float64Array;
  forLogged: Float64Array;
}

interface Line {
  intercept: number;
  slope: number;
}

/**
 * Per model a, a weighted least-squares line y ≈ α_a + β_a ŷ fitted on rows whose logged model is a,
 * each weighted by 1/propensity so the fit stands for all prompts rather than those the logger sent to
 * a, with {@link PRIOR_ROWS} pseudo-rows at the identity (α = 0, β = 1) as a ridge prior.
 */
function fitLines(pairs: Map<string, Array<{ x: number; y: number; weight: number }>>): Map<string, Line> {
  const lines = new Map<string, Line>();
  for (const [model, points] of pairs) {
    // Sufficient statistics of the weighted fit plus the prior: PRIOR_ROWS points spread on y = x
    // over the observed x range keep the line defined even with one distinct x.
    let sw = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    let total = 0;
    for (const { weight } of points) total += weight;
    const scale = points.length / Math.max(total, 1e-12);
    for (const { x, y, weight } of points) {
      const w = weight * scale;
      sw += w;
      sx += w * x;
      sy += w * y;
      sxx += w * x * x;
      sxy += w * x * y;
    }
    const xs = points.map((point) => point.x);
    const low = Math.min(...xs, 0);
    const high = Math.max(...xs, 1);
    for (let k = 0; k < PRIOR_ROWS; k++) {
      const x = low + ((high - low) * (k + 0.5)) / PRIOR_ROWS;
      sw += 1;
      sx += x;
      sy += x;
      sxx += x * x;
      sxy += x * x;
    }
    const determinant = sw * sxx - sx * sx;
    const slope = determinant > 1e-12 ? (sw * sxy - sx * sy) / determinant : 1;
    lines.set(model, { intercept: (sy - slope * sx) / sw, slope });
  }
  return lines;
}

/**
 * The outcome model of the doubly robust estimator, for rewards (`outcome: "reward"`, clamped to [0, 1])
 * or costs (`"costUsd"`, floored at 0).
 *
 * - `candidate`: the candidate router's own predictions, as they are. Free, but a router's predicted
 *   quality is a ranking score more than a calibrated probability (kNN averages shrink toward the mean).
 * - `calibrated` (default): the candidate's predictions recalibrated per model on the log by an
 *   inverse-propensity-weighted line (see `fitLines`), **cross-fitted** over two folds (rows of even and
 *   odd position): a row's prediction comes from the line fitted on the other fold, so its own reward
 *   never enters its own DR term (Chernozhukov et al. 2018). DR stays unbiased whatever the outcome
 *   model; a better one only narrows the interval.
 */
export function outcomePredictions(rows: readonly OpeRow[], kind: OutcomeModelKind, outcome: "reward" | "costUsd"): OutcomePredictions {
  const n = rows.length;
  const rawChoice = (row: OpeRow) => (outcome === "reward" ? row.predictedQualityOfChoice : row.predictedCostOfChoice);
  const rawLogged = (row: OpeRow) => (outcome === "reward" ? row.predictedQualityOfLogged : row.predictedCostOfLogged);
  const bound = (value: number) => (outcome === "reward" ? Math.min(1, Math.max(0, value)) : Math.max(0, value));
  const forCandidate = new Float64Array(n);
  const forLogged = new Float64Array(n);
  if (kind === "candidate") {
    rows.forEach((row, i) => {
      forCandidate[i] = bound(rawChoice(row));
      forLogged[i] = bound(rawLogged(row));
    });
    return { forCandidate, forLogged };
  }
  const folds = [0, 1].map((fold) => {
    const pairs = new Map<string, Array<{ x: number; y: number; weight: number }>>();
    rows.forEach((row, i) => {
      const y = outcome === "reward" ? row.reward : row.costUsd;
      if (i % 2 === fold || y === undefined) return;
      const list = pairs.get(row.loggedModel) ?? [];
      list.push({ x: rawLogged(row), y, weight: 1 / row.propensity });
      pairs.set(row.loggedModel, list);
    });
    return fitLines(pairs);
  });
  rows.forEach((row, i) => {
    const lines = folds[i % 2]!;
    const apply = (model: string, x: number) => {
      const line = lines.get(model);
      return bound(line ? line.intercept + line.slope * x : x);
    };
    forCandidate[i] = apply(row.candidateModel, rawChoice(row));
    forLogged[i] = apply(row.loggedModel, rawLogged(row));
  });
  return { forCandidate, forLogged };
}
