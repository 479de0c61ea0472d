import assert from "node:assert/strict";
import { test } from "node:test";
import { offlineTargetsOf } from "../../src/artifacts/offline-targets.js";
import { createRoutingEngine } from "../../src/core/create-routing-engine.js";
import { createRandom } from "../../src/core/random.js";
import { queryOfPrompt } from "../../src/core/query.js";
import type { RoutingLogEntry } from "../../src/data/routing-log-entry.js";
import { trainRouterArtifactFromLog } from "../../src/training/train-router-artifact-from-log.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

/**
 * A log of a logger that mostly serves `small` (the cheap model, wrong on "math" prompts) and explores
 * `big` with probability 0.3: bandit feedback, one model per prompt.
 */
function loggedTraffic(count: number, seed: number): RoutingLogEntry[] {
  const random = createRandom(seed);
  return syntheticRoutingExamples(count, seed, "train").map((example) => {
    const model = random() < 0.3 ? "big" : "small";
    const propensity = model === "big" ? 0.3 : 0.7;
    const outcome = example.outcomes[model]!;
    return {
      id: example.id,
      prompt: example.prompt,
      model,
      propensity,
      reward: outcome.score,
      costUsd: outcome.costUsd,
      candidates: ["small", "big"].map((id) => ({ model: id, predictedQuality: 0.5, predictedCostUsd: example.outcomes[id]!.costUsd })),
      router: "logger",
      artifact: "",
    };
  });
}

test("knn and linear trained on a decision log route better than random on held-out prompts", async () => {
  const entries = loggedTraffic(240, 11);
  const heldOut = syntheticRoutingExamples(100, 12, "test");
  const random = createRandom(5);
  const randomScore = heldOut.reduce((sum, example) => sum + example.outcomes[random() < 0.5 ? "small" : "big"]!.score, 0) / heldOut.length;
  for (const router of ["knn", "linear"]) {
    // A small sketch keeps linear's closed-form solves fast; the task needs few features.
    const { artifact, notes } = await trainRouterArtifactFromLog({ entries, router, seed: 3, source: "log.jsonl", params: router === "linear" ? { dimension: 64 } : {} });
    assert.deepEqual(notes, []);
    assert.equal(artifact.training.split, "decision-log");
    assert.deepEqual([...artifact.models].sort(), ["big", "small"]);
    const engine = await createRoutingEngine({ artifact, targets: offlineTargetsOf(artifact) });
    let score = 0;
    let mathToBig = 0;
    for (const example of heldOut) {
      const decision = await engine.decide(queryOfPrompt(example.prompt, { quality: 1 }));
      score += example.outcomes[decision.model]!.score;
      if (example.task === "math" && decision.model === "big") mathToBig++;
    }
    score /= heldOut.length;
    assert.ok(score > randomScore + 0.1, `${router}: ${score} vs random ${randomScore}`);
    assert.ok(mathToBig >= 45, `${router} sends math prompts to big: ${mathToBig}/50`);
  }
});

test("routers that need the full score matrix refuse a decision log, naming the alternative", async () => {
  const entries = loggedTraffic(60, 1);
  for (const router of ["matrix-factorization", "cluster", "ensemble", "auto", "mlp"]) {
    await assert.rejects(trainRouterArtifactFromLog({ entries, router, source: "log.jsonl" }), (error: Error & { code?: string }) => {
      assert.equal(error.code, "invalid_config");
      assert.match(error.message, new RegExp(`the ${router} router needs every model's score on every prompt.*train knn or linear on the log`));
      return true;
    });
  }
  await assert.rejects(trainRouterArtifactFromLog({ entries: entries.map(({ prompt: _prompt, ...rest }) => ({ ...rest, promptHash: "x" })), router: "knn", source: "log.jsonl" }), /log\.jsonl: prompt: 60 of 60 rows have no prompt text/);
  const { notes } = await trainRouterArtifactFromLog({ entries: entries.map((entry, i) => (i % 2 === 0 ? { ...entry, reward: undefined } : entry)), router: "knn", source: "log.jsonl" });
  assert.deepEqual(notes, ["left out 30 rows without a reward"]);
});
