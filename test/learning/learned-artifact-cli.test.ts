import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { stringify as toYaml } from "yaml";
import { loadRouterArtifact, saveRouterArtifact, type RouterArtifact } from "../../src/artifacts/router-artifact.js";
import { learningConfigSchema } from "../../src/learning/learning-config.js";
import { createOnlineLearner } from "../../src/learning/online-learner.js";
import { restoreOnlineRouter } from "../../src/learning/restore-online-router.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { createRoutingEngine } from "../../src/core/create-routing-engine.js";
import { queryOfPrompt } from "../../src/core/query.js";
import { isOnlineRouter } from "../../src/routers/online-router.js";
import { runCli } from "../helpers/run-cli.js";
import { syntheticRoutingExamples } from "../helpers/synthetic-dataset.js";

const targets = [
  { id: "small", inputUsdPerMTok: 0.1, outputUsdPerMTok: 0.1, contextWindow: 8192 },
  { id: "big", inputUsdPerMTok: 5, outputUsdPerMTok: 5, contextWindow: 8192 },
];

const cli = runCli;

/**
 * Deep equality with numbers equal to 1e-9 relative: a bandit rebuilt from a snapshot recomputes its
 * inverse matrices, so updates replayed after it can differ from the live ones in the last bits.
 */
function assertClose(actual: unknown, expected: unknown, path = "state"): void {
  if (typeof expected === "number" && typeof actual === "number") {
    assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${path}: ${actual} vs ${expected}`);
    return;
  }
  if (expected !== null && typeof expected === "object") {
    assert.ok(actual !== null && typeof actual === "object", `${path}: not an object`);
    // Keys with undefined values are what JSON leaves out.
    const keysOf = (value: object) => Object.keys(value).filter((key) => (value as Record<string, unknown>)[key] !== undefined).sort();
    const keys = keysOf(expected);
    assert.deepEqual(keysOf(actual as object), keys, `${path}: keys`);
    for (const key of keys) assertClose((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${path}.${key}`);
    return;
  }
  assert.deepEqual(actual, expected, path);
}

let directory: string;
let served: RouterArtifact;

async function writeConfig(name: string, database: string): Promise<string> {
  const path = join(directory, name);
  await writeFile(path, toYaml({ router: { artifact: "./router.json" }, upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:9/v1" }], targets, store: { path: database } }));
  return path;
}

before(async () => {
  directory = await mkdtemp(join(tmpdir(), "switchyard-learned-"));
  served = await trainRouterArtifact({ examples: syntheticRoutingExamples(80, 3, "train"), models: ["small", "big"], router: "linucb", dataset: "synthetic", split: "train", params: { fitLabels: false }, now: () => new Date(0) });
  await saveRouterArtifact(join(directory, "router.json"), served);
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

test("switchyard learning export writes the learned state; import brings it into another store; a foreign embedder is refused", { timeout: 120_000 }, async () => {
  // Learn 40 feedbacks into store A through the learner, as the gateway does.
  const storeA = createSqliteStore({ path: join(directory, "a.db") });
  const restored = await restoreOnlineRouter({ artifact: served, repository: storeA.learning, targets: ["small", "big"] });
  const engine = await createRoutingEngine({ artifact: restored!.artifact, targets });
  assert.ok(engine.router && isOnlineRouter(engine.router));
  const learner = createOnlineLearner({ router: engine.router, repository: storeA.learning, config: learningConfigSchema.parse({ snapshotEvery: 15 }), storeText: false, seq: 0, updates: 0 });
  const examples = syntheticRoutingExamples(40, 9, "test");
  for (const [i, example] of examples.entries()) {
    const decision = await engine.decide(queryOfPrompt(example.prompt, { quality: 1 }));
    learner.observe({ requestId: `r${i}`, keyId: null, decision, servedModel: decision.model, costUsd: example.outcomes[decision.model]!.costUsd, createdAt: Date.now() });
    await learner.feedback({ requestId: `r${i}`, keyId: null, score: example.outcomes[decision.model]!.score, trace: undefined });
  }
  const probe = queryOfPrompt(examples[0]!.prompt);
  const learnedState = engine.router.toState();
  await storeA.close();

  const configA = await writeConfig("a.yaml", "./a.db");
  const exported = await cli("learning", "export", "--config", configA, "--out", join(directory, "learned.json"));
  assert.equal(exported.status, 0, exported.stderr);
  assert.match(exported.stdout, /linucb with 40 online updates/);
  const artifact = await loadRouterArtifact(join(directory, "learned.json"));
  assertClose(artifact.router, learnedState);

  const configB = await writeConfig("b.yaml", "./b.db");
  const imported = await cli("learning", "import", "--config", configB, "--in", join(directory, "learned.json"));
  assert.equal(imported.status, 0, imported.stderr);
  const storeB = createSqliteStore({ path: join(directory, "b.db") });
  const back = await restoreOnlineRouter({ artifact: served, repository: storeB.learning, targets: ["small", "big"] });
  assert.equal(back?.source, "store");
  assert.equal(back?.updates, 40);
  assertClose(back?.router.toState(), artifact.router);
  assertClose(back?.router.toState(), learnedState);
  const engineB = await createRoutingEngine({ artifact: back!.artifact, targets });
  const routeInput = (await engineB.decide(probe)).routeInput!;
  assertClose([...engineB.router!.predictQuality(routeInput)], [...engine.router.predictQuality(routeInput)]);
  await storeB.close();

  // A state learned over another embedder is refused by name, and changes nothing.
  const foreign = { ...artifact, embedder: { ...artifact.embedder, seed: 999 } };
  await saveRouterArtifact(join(directory, "foreign.json"), foreign as RouterArtifact);
  const refused = await cli("learning", "import", "--config", configB, "--in", join(directory, "foreign.json"));
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^error: embedder: the imported state was learned over another embedder/);
  const storeC = createSqliteStore({ path: join(directory, "b.db") });
  assert.equal((await storeC.learning.snapshot())?.updates, 40);
  await storeC.close();
});
