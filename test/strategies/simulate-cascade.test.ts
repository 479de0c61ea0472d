import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { oraclePoint } from "../../src/eval/oracle.js";
import { outcomeMatrix, singleModelOutcome } from "../../src/eval/outcome-matrix.js";
import { chainsOnHull, increasingChains, simulateCascade, simulatedJudgeVerdicts } from "../../src/strategies/cascade/simulate-cascade.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const examples = syntheticRoutingExamples(400, 7, "test");
const models = ["small", "big"];
const truth = outcomeMatrix(examples, models);

describe("simulateCascade", () => {
  test("with a perfect judge (e = 0) a small → big cascade reaches the oracle's quality", () => {
    const verdicts = simulatedJudgeVerdicts(truth, { errorRate: 0, random: createRandom(1) });
    const run = simulateCascade({ truth, verdicts, chain: [0, 1] });
    const oracle = oraclePoint(truth);
    // The cascade answers with `small` when it is right, else with `big`: the oracle's quality exactly.
    assert.equal(run.meanQuality, oracle.meanQuality);
    // It pays `small` on every prompt and `big` only where `small` was wrong.
    const smallWrong = truth.quality.filter((row) => row[0] === 0).length;
    assert.ok(Math.abs(run.meanCostUsd - (400 * 0.0001 + smallWrong * 0.002) / 400) < 1e-12);
    assert.ok(run.meanQuality > singleModelOutcome(1, truth).meanQuality);
    assert.deepEqual(run.reachedShare, [1, smallWrong / 400]);
  });

  test("judge errors cost quality; judge costs are added for every step but the last", () => {
    const perfect = simulateCascade({ truth, verdicts: simulatedJudgeVerdicts(truth, { errorRate: 0, random: createRandom(1) }), chain: [0, 1] });
    const noisy = simulateCascade({ truth, verdicts: simulatedJudgeVerdicts(truth, { errorRate: 0.3, random: createRandom(1) }), chain: [0, 1] });
    assert.ok(noisy.meanQuality < perfect.meanQuality - 0.05, `noisy ${noisy.meanQuality} vs perfect ${perfect.meanQuality}`);
    const judged = simulateCascade({ truth, verdicts: simulatedJudgeVerdicts(truth, { errorRate: 0, random: createRandom(1) }), chain: [0, 1], judgeCostUsd: new Float64Array(400).fill(0.00005) });
    assert.ok(Math.abs(judged.meanCostUsd - perfect.meanCostUsd - 0.00005) < 1e-12);
  });

  test("the simulated judge flips with probability e, seeded", () => {
    const a = simulatedJudgeVerdicts(truth, { errorRate: 0.2, random: createRandom(3) });
    const b = simulatedJudgeVerdicts(truth, { errorRate: 0.2, random: createRandom(3) });
    assert.deepEqual(a, b);
    let flips = 0;
    truth.quality.forEach((row, i) => row.forEach((score, m) => (flips += a[i]?.[m] === score ? 0 : 1)));
    assert.ok(Math.abs(flips / 800 - 0.2) < 0.05, `flip rate ${flips / 800}`);
  });

  test("increasingChains and chainsOnHull", () => {
    assert.deepEqual(increasingChains([3, 1, 2], 2), [[1], [1, 2], [1, 0], [2], [2, 0], [0]]);
    const verdicts = simulatedJudgeVerdicts(truth, { errorRate: 0, random: createRandom(1) });
    const runs = increasingChains([0.0001, 0.002], 2).map((chain) => simulateCascade({ truth, verdicts, chain }));
    const kept = chainsOnHull(runs).map((run) => run.chain);
    assert.deepEqual(kept, [[0], [0, 1]], "big alone is dominated by the cascade");
  });
});
