import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadRouterArtifact, saveRouterArtifact } from "../../src/artifacts/router-artifact.js";
import { createRoutingEngine } from "../../src/core/create-routing-engine.js";
import { queryOfPrompt } from "../../src/core/query.js";
import { createRandom } from "../../src/core/random.js";
import type { Target } from "../../src/core/target.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { isOnlineRouter } from "../../src/routers/online-router.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { warmStartArtifact } from "../../src/training/warm-start-artifact.js";

test("the engine serves a warm-started bandit: step-0 choices equal the offline artifact's, exploration stays inside allowed_models, state survives an artifact file", async () => {
  const dataset = await loadDataset("examples/demo/routerbench-sample.jsonl");
  const examples = dataset.examples.slice(0, 200);
  const offline = await trainRouterArtifact({ examples, models: dataset.models, router: "knn", dataset: dataset.source, split: "train", seed: 1 });
  const warm = await warmStartArtifact({ artifact: offline, source: "knn", router: "linucb", seed: 1 });
  const targets: Target[] = dataset.models.map((id) => ({ id, inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 128_000 }));
  const offlineEngine = await createRoutingEngine({ artifact: offline, targets });
  const engine = await createRoutingEngine({ artifact: warm, targets, random: createRandom(3) });
  const prompts = dataset.examples.slice(200, 260).map((example) => example.prompt);
  for (const prompt of prompts) {
    const [a, b] = await Promise.all([offlineEngine.decide(queryOfPrompt(prompt)), engine.decide(queryOfPrompt(prompt))]);
    assert.equal(b.model, a.model);
    assert.equal(b.propensity, 1);
    assert.ok(b.routeInput);
  }
  const allowed = dataset.models.slice(0, 3);
  const router = engine.router!;
  assert.ok(isOnlineRouter(router));
  for (const prompt of prompts) {
    const decision = await engine.decide(queryOfPrompt(prompt, { allowedModels: allowed }));
    assert.ok(allowed.includes(decision.model));
    router.update({ input: decision.routeInput!, model: decision.model, reward: 1 });
  }
  // A removed model disappears from decisions without restarting the engine.
  router.removeModel(allowed[0]!);
  for (const prompt of prompts.slice(0, 10)) assert.notEqual((await engine.decide(queryOfPrompt(prompt, { allowedModels: allowed }))).model, allowed[0]);
  const file = join(await mkdtemp(join(tmpdir(), "switchyard-bandit-")), "bandit.json");
  await saveRouterArtifact(file, { ...warm, router: router.toState() });
  const reloaded = await createRoutingEngine({ artifact: await loadRouterArtifact(file), targets });
  assert.deepEqual([...reloaded.router!.models], [...router.models]);
  for (const prompt of prompts.slice(0, 10)) {
    const input = (await engine.decide(queryOfPrompt(prompt))).routeInput!;
    assert.deepEqual(Array.from(reloaded.router!.predictQuality(input)).map((q) => q.toFixed(6)), Array.from(router.predictQuality(input)).map((q) => q.toFixed(6)));
  }
});
