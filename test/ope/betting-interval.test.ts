import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { bettingInterval } from "../../src/ope/betting-interval.js";
import { evaluateOffPolicy, type SnipsInterval } from "../../src/ope/evaluate-off-policy.js";
import type { OpeRow } from "../../src/ope/ope-row.js";

/**
 * The failure the betting interval exists for (RouterBench at ε = 0.1 in miniature): ten models, a
 * logger that is ε-greedy (ε = 0.1) around "a", and a candidate that agrees with it on 80 % of prompts
 * but picks "b" on the other 20 % — a region the log sees through about four rows of weight 100. When
 * those few rewards are all 1 (41 % of logs), the normal interval believes them.
 */
const models = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
const meanOf = (model: string, kind: number) => (kind === 0 ? (model === "a" ? 0.9 : 0.5) : model === "b" ? 0.6 : 0.5);
const truth = 0.8 * 0.9 + 0.2 * 0.6;

function log(count: number, seed: number): OpeRow[] {
  const random = createRandom(seed);
  const epsilon = 0.1;
  return Array.from({ length: count }, (_, i) => {
    const kind = random() < 0.8 ? 0 : 1;
    const logged = random() < epsilon ? models[Math.floor(random() * models.length)]! : "a";
    const candidate = kind === 0 ? "a" : "b";
    return {
      id: String(i),
      loggedModel: logged,
      propensity: (logged === "a" ? 1 - epsilon : 0) + epsilon / models.length,
      reward: random() < meanOf(logged, kind) ? 1 : 0,
      costUsd: 1,
      candidateModel: candidate,
      predictedQualityOfChoice: 0.5,
      predictedQualityOfLogged: 0.5,
      predictedCostOfChoice: 1,
      predictedCostOfLogged: 1,
    };
  });
}

function coverage(snipsInterval: SnipsInterval, replications: number): { covered: number; width: number } {
  let covered = 0;
  let width = 0;
  for (let seed = 1; seed <= replications; seed++) {
    const { rewardCi } = evaluateOffPolicy(log(2000, seed), { estimators: ["snips"], snipsInterval }).estimators.snips!;
    if (rewardCi[0] <= truth && truth <= rewardCi[1]) covered++;
    width += (rewardCi[1] - rewardCi[0]) / replications;
  }
  return { covered: covered / replications, width };
}

test("SNIPS's default (betting) interval covers where the normal one is fooled by a few heavy rows", () => {
  const betting = coverage("betting", 80);
  const normal = coverage("normal", 80);
  assert.ok(betting.covered >= 0.9, `betting coverage ${betting.covered}`);
  assert.ok(normal.covered < 0.85, `normal coverage ${normal.covered} (the case must be hard for it)`);
  // Honest about the price: wider, but not vacuous.
  assert.ok(betting.width > normal.width && betting.width < 0.6, `widths: betting ${betting.width}, normal ${normal.width}`);
  assert.equal(evaluateOffPolicy(log(2000, 1), { estimators: ["snips"] }).snipsInterval, "betting");
});

test("bettingInterval: on-policy rows give a tight interval around the mean, inside [0, 1]", () => {
  const random = createRandom(3);
  const n = 4000;
  const weights = new Float64Array(n).fill(1);
  const rewards = Float64Array.from({ length: n }, () => (random() < 0.3 ? 1 : 0));
  const mean = rewards.reduce((s, x) => s + x, 0) / n;
  const [low, high] = bettingInterval(weights, rewards);
  assert.ok(0 <= low && low < mean && mean < high && high <= 1, `[${low}, ${high}] around ${mean}`);
  // About the width of a normal interval (2 × 1.96 × √(0.21/4000) ≈ 0.028), not a worst-case bound.
  assert.ok(high - low < 0.05, `width ${high - low}`);
  assert.deepEqual(bettingInterval(new Float64Array(0), new Float64Array(0)).map(Number.isNaN), [true, true]);
});
