import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { isSwitchyardError } from "../../src/core/errors.js";
import { drEstimate } from "../../src/ope/dr-estimator.js";
import { evaluateOffPolicy } from "../../src/ope/evaluate-off-policy.js";
import { ipsEstimate } from "../../src/ope/ips-estimator.js";
import type { OpeRow } from "../../src/ope/ope-row.js";
import { snipsEstimate } from "../../src/ope/snips-estimator.js";

/**
 * A synthetic log with known truth: two prompt kinds, three models with Bernoulli rewards whose means
 * depend on the kind; the logger is ε-greedy around model "a"; the candidate sends kind 0 to "b" and
 * kind 1 to "c". Its true value is the mean of those two means.
 */
const means = { a: [0.5, 0.5], b: [0.9, 0.2], c: [0.1, 0.7] } as Record<string, [number, number]> & { b: [number, number]; c: [number, number] };
const costs = { a: 1, b: 2, c: 3 } as Record<string, number> & { b: number; c: number };
const candidateOf = (kind: number) => (kind === 0 ? "b" : "c");
const trueReward = (means.b[0] + means.c[1]) / 2;
const trueCost = (costs.b + costs.c) / 2;

function syntheticLog(count: number, epsilon: number, seed: number, predictionNoise = 0): OpeRow[] {
  const random = createRandom(seed);
  const models = ["a", "b", "c"];
  const rows: OpeRow[] = [];
  for (let i = 0; i < count; i++) {
    const kind = i % 2;
    const logged = random() < epsilon ? models[Math.floor(random() * 3)]! : "a";
    const propensity = (logged === "a" ? 1 - epsilon : 0) + epsilon / 3;
    const candidate = candidateOf(kind);
    const predicted = (model: string) => Math.min(1, Math.max(0, means[model]![kind]! + predictionNoise * (random() - 0.5)));
    rows.push({
      id: String(i),
      loggedModel: logged,
      propensity,
      reward: random() < means[logged]![kind]! ? 1 : 0,
      costUsd: costs[logged]!,
      candidateModel: candidate,
      predictedQualityOfChoice: predicted(candidate),
      predictedQualityOfLogged: predicted(logged),
      predictedCostOfChoice: costs[candidate]!,
      predictedCostOfLogged: costs[logged]!,
    });
  }
  return rows;
}

test("IPS, SNIPS and DR are about unbiased over seeds and cover the truth about 95% of the time", () => {
  const seeds = 60;
  const covered = { ips: 0, snips: 0, dr: 0 };
  const meanEstimate = { ips: 0, snips: 0, dr: 0 };
  const absoluteError = { ips: 0, snips: 0, dr: 0 };
  for (let seed = 1; seed <= seeds; seed++) {
    const report = evaluateOffPolicy(syntheticLog(1500, 0.3, seed, 0.2));
    for (const name of ["ips", "snips", "dr"] as const) {
      const result = report.estimators[name]!;
      meanEstimate[name] += result.reward / seeds;
      absoluteError[name] += Math.abs(result.reward - trueReward) / seeds;
      if (result.rewardCi[0] <= trueReward && trueReward <= result.rewardCi[1]) covered[name]++;
      assert.ok(result.costCi[0] <= trueCost + 0.5 && result.costCi[1] >= trueCost - 0.5, `${name} cost interval near the truth`);
    }
  }
  for (const name of ["ips", "snips", "dr"] as const) {
    assert.ok(Math.abs(meanEstimate[name] - trueReward) < 0.02, `${name}: mean over seeds ${meanEstimate[name]} vs truth ${trueReward}`);
    assert.ok(covered[name] / seeds >= 0.85, `${name}: coverage ${covered[name]}/${seeds}`);
  }
  // A decent outcome model makes DR more accurate than plain IPS.
  assert.ok(absoluteError.dr < absoluteError.ips, `DR MAE ${absoluteError.dr} < IPS MAE ${absoluteError.ips}`);
});

test("the report gives the logging policy's own value, the ESS formula and the agreement", () => {
  const rows = syntheticLog(600, 0.5, 7);
  const report = evaluateOffPolicy(rows);
  const rewarded = rows.filter((row) => row.reward !== undefined);
  const weights = rewarded.map((row) => (row.candidateModel === row.loggedModel ? 1 / row.propensity : 0));
  const sum = weights.reduce((a, b) => a + b, 0);
  const squares = weights.reduce((a, b) => a + b * b, 0);
  assert.ok(Math.abs(report.effectiveSampleSize - (sum * sum) / squares) < 1e-9);
  assert.ok(Math.abs(report.logging.reward - rewarded.reduce((s, row) => s + row.reward!, 0) / rewarded.length) < 1e-12);
  assert.ok(Math.abs(report.logging.costUsd - rows.reduce((s, row) => s + row.costUsd, 0) / rows.length) < 1e-12);
  assert.ok(report.logging.rewardCi[0] < report.logging.reward && report.logging.reward < report.logging.rewardCi[1]);
  assert.equal(report.agreement, rows.filter((row) => row.candidateModel === row.loggedModel).length / rows.length);
  assert.deepEqual(Object.keys(report.estimators).sort(), ["dr", "ips", "snips"]);
  assert.deepEqual(Object.keys(evaluateOffPolicy(rows, { estimators: ["snips"] }).estimators), ["snips"]);
});

test("the estimators' formulas on a hand-sized case", () => {
  const input = {
    weights: Float64Array.from([2, 0, 4, 0]),
    outcomes: Float64Array.from([1, 0, 0.5, 1]),
    predictedForCandidate: Float64Array.from([0.5, 0.5, 0.5, 0.5]),
    predictedForLogged: Float64Array.from([0.5, 0.2, 0.5, 0.9]),
  };
  assert.equal(ipsEstimate(input).value, (2 * 1 + 4 * 0.5) / 4);
  assert.equal(snipsEstimate(input).value, (2 * 1 + 4 * 0.5) / 6);
  assert.equal(drEstimate(input).value, (0.5 + 2 * 0.5 + 0.5 + 0.5 + 0 + 0.5) / 4);
  const interval = snipsEstimate(input).ci;
  assert.ok(interval[0] <= snipsEstimate(input).value && snipsEstimate(input).value <= interval[1]);
});

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(isSwitchyardError(error) && error.code === "ope_refused", String(error));
    return error.message;
  }
  assert.fail("expected ope_refused");
}

test("refuses deterministic logging when the candidate chooses otherwise, too few rewards, too little overlap", () => {
  const deterministic = syntheticLog(400, 0, 3);
  assert.match(refusal(() => evaluateOffPolicy(deterministic)), /deterministic logging.*chooses another model on 100\.0% of the rows/);
  // A candidate that agrees with a deterministic logger is evaluated (the estimate is the logged mean).
  const agreeing = deterministic.map((row) => ({ ...row, candidateModel: row.loggedModel }));
  const report = evaluateOffPolicy(agreeing);
  assert.ok(Math.abs(report.estimators.snips!.reward - report.logging.reward) < 1e-12);
  assert.equal(report.deterministicLogging, true);

  // Explored on half the traffic only: the candidate's choices on the other half were never observable.
  const partly = syntheticLog(400, 0.3, 6).map((row, i) => (i % 2 === 0 ? { ...row, propensity: 1, loggedModel: "a" } : row));
  assert.match(refusal(() => evaluateOffPolicy(partly)), /the logger served its choice with propensity 1 and the candidate chooses another model/);

  const fewRewards = syntheticLog(400, 0.3, 4).map((row, i) => (i < 20 ? row : { ...row, reward: undefined }));
  assert.match(refusal(() => evaluateOffPolicy(fewRewards)), /only 20 of 400 rows have a reward/);

  const rare = syntheticLog(400, 0.03, 5);
  assert.match(refusal(() => evaluateOffPolicy(rare)), /agrees with the logged model on only \d+ rewarded rows|effective sample size/);
  assert.match(refusal(() => evaluateOffPolicy([])), /no rows/);
});
