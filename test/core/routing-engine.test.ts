import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadRouterArtifact, saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { createRoutingEngine } from "../../src/core/create-routing-engine.js";
import { SwitchyardError } from "../../src/core/errors.js";
import { expectedSpendForKnob, willingnessToPayForKnob } from "../../src/core/knob-calibration.js";
import { rankByObjective } from "../../src/core/objective.js";
import { queryOfPrompt } from "../../src/core/query.js";
import type { Target } from "../../src/core/target.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const targets: Target[] = [
  { id: "small", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1, contextWindow: 8000 },
  { id: "big", inputUsdPerMTok: 10, outputUsdPerMTok: 30, contextWindow: 8000 },
];
const isCode = (code: string) => (error: unknown) => error instanceof SwitchyardError && error.code === code;

async function trainedArtifact() {
  return trainRouterArtifact({ examples: syntheticRoutingExamples(200, 3, "train"), models: ["small", "big"], router: "knn", dataset: "synthetic", split: "train", params: { k: 10, power: 1, priorWeight: 1 }, now: () => new Date(0) });
}

test("the objective ranks by wtp × quality − cost, ties to the cheaper model", () => {
  const ranked = rankByObjective(
    [
      { model: "a", predictedQuality: 0.5, predictedCostUsd: 1 },
      { model: "b", predictedQuality: 0.9, predictedCostUsd: 3 },
      { model: "c", predictedQuality: 0.5, predictedCostUsd: 0.5 },
    ],
    4,
  );
  assert.deepEqual(ranked.map((c) => c.model), ["c", "a", "b"]); // 1.5, 1, 0.6
  assert.equal(ranked[2]!.objective, 4 * 0.9 - 3);
  assert.equal(rankByObjective(ranked, 100)[0]!.model, "b");
});

test("knob calibration inverts the spend curve: equal knob steps are equal spend steps", () => {
  const calibration = { willingnessToPay: [0, 1, 2, 3], spendUsd: [1, 1, 3, 5] };
  assert.equal(willingnessToPayForKnob(calibration, 0), 0);
  assert.equal(willingnessToPayForKnob(calibration, 1), 3);
  assert.equal(willingnessToPayForKnob(calibration, 0.5), 2); // wants spend 3
  assert.equal(willingnessToPayForKnob(calibration, 0.25), 1.5); // wants spend 2: halfway between wtp 1 and 2
  assert.equal(expectedSpendForKnob(calibration, 0.75), 4);
});

test("the engine routes cheap for chat, expensive for math at a high knob, and always cheap at knob 0", async () => {
  const engine = await createRoutingEngine({ artifact: await trainedArtifact(), targets });
  assert.equal(engine.routerName, "knn");
  const math = await engine.decide(queryOfPrompt("solve the integral equation theorem", { quality: 1 }));
  assert.equal(math.model, "big");
  assert.equal(math.candidates.length, 2);
  assert.ok(math.candidates[0]!.predictedQuality > math.candidates[1]!.predictedQuality);
  assert.ok(math.decisionMs >= 0);
  const chat = await engine.decide(queryOfPrompt("hello what movie for dinner", { quality: 0.6 }));
  assert.equal(chat.model, "small");
  const cheap = await engine.decide(queryOfPrompt("solve the integral equation theorem", { quality: 0 }));
  assert.equal(cheap.model, "small");
});

test("allowed models, exclusions and cost caps restrict candidates; nothing left is no_candidates", async () => {
  const engine = await createRoutingEngine({ artifact: await trainedArtifact(), targets });
  const only = await engine.decide(queryOfPrompt("solve the integral", { quality: 1, allowedModels: ["small"] }));
  assert.equal(only.model, "small");
  assert.equal(only.candidates.length, 1);
  assert.equal((await engine.decide(queryOfPrompt("prove the theorem", { quality: 1 }), { exclude: new Set(["big"]) })).model, "small");
  assert.equal((await engine.decide(queryOfPrompt("prove the theorem", { quality: 1 }), { maxCostUsd: 0.0005 })).model, "small");
  await assert.rejects(engine.decide(queryOfPrompt("x", { allowedModels: ["nope"] })), isCode("no_candidates"));
});

test("artifacts round-trip through a file; wrong or corrupt files are invalid_artifact errors", async () => {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-artifact-"));
  const artifact = await trainedArtifact();
  const path = join(directory, "router.json");
  await saveRouterArtifact(path, artifact);
  assert.deepEqual(await loadRouterArtifact(path), JSON.parse(JSON.stringify(artifact)));
  await writeFile(join(directory, "corrupt.json"), "{ not json");
  await assert.rejects(loadRouterArtifact(join(directory, "corrupt.json")), (error: unknown) => isCode("invalid_artifact")(error) && /corrupt/.test((error as Error).message));
  await writeFile(join(directory, "foreign.json"), JSON.stringify({ hello: "world" }));
  await assert.rejects(loadRouterArtifact(join(directory, "foreign.json")), /not a Switchyard router artifact/);
  await writeFile(join(directory, "future.json"), JSON.stringify({ ...artifact, version: 99 }));
  await assert.rejects(loadRouterArtifact(join(directory, "future.json")), /version 99/);
  await writeFile(join(directory, "broken.json"), JSON.stringify({ ...artifact, models: "x" }));
  await assert.rejects(loadRouterArtifact(join(directory, "broken.json")), /models/);
  await assert.rejects(loadRouterArtifact(join(directory, "missing.json")), /does not exist/);
});

test("targets unknown to the router are not routable, and none known is a config error", async () => {
  const artifact = await trainedArtifact();
  const engine = await createRoutingEngine({ artifact, targets: [...targets, { id: "other", inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 100 }] });
  assert.deepEqual(engine.targets.map((t) => t.id), ["small", "big"]);
  await assert.rejects(createRoutingEngine({ artifact, targets: [{ id: "other", inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 100 }] }), isCode("invalid_config"));
});

test("a sparse prompt is embedded only when something reads it: a router that reads no features pays no embedding", async () => {
  const { HashedTfidfEmbedder } = await import("../../src/embedders/hashed-tfidf/hashed-tfidf-embedder.js");
  const original = HashedTfidfEmbedder.prototype.embedSparse;
  let calls = 0;
  HashedTfidfEmbedder.prototype.embedSparse = function (this: InstanceType<typeof HashedTfidfEmbedder>, texts: readonly string[]) {
    calls++;
    return original.call(this, texts);
  };
  try {
    const examples = syntheticRoutingExamples(200, 3, "train");
    const cheapest = await createRoutingEngine({ artifact: await trainRouterArtifact({ examples, models: ["small", "big"], router: "cheapest", dataset: "synthetic", split: "train" }), targets });
    calls = 0;
    assert.equal((await cheapest.decide(queryOfPrompt("What is 2 + 2?"))).model, "small");
    assert.equal(calls, 0, "cheapest reads no features");
    const knn = await createRoutingEngine({ artifact: await trainedArtifact(), targets });
    calls = 0;
    await knn.decide(queryOfPrompt("What is 2 + 2?"));
    assert.equal(calls, 1, "knn embeds the prompt once (its index reads the sparse form, the dense copy is never built)");
  } finally {
    HashedTfidfEmbedder.prototype.embedSparse = original;
  }
});
