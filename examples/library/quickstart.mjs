// @ts-check
// Switchyard as a library, under plain Node (no TypeScript runtime, no port for routing, no database):
// evaluate routers on held-out prompts, train one, route in-process, then serve the gateway from code
// in front of the replay upstream. Run: `node quickstart.mjs [dataset.jsonl]` (default: the bundled sample).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRoutingEngine, evaluateRouters, loadDataset, loadRouter, saveRouterArtifact, train } from "switchyard";
import { parseConfig, startGateway } from "switchyard/gateway";
import { demoSamplePath, startReplayUpstream } from "switchyard/testing";

const dataset = await loadDataset(process.argv[2] ?? demoSamplePath);
console.log(`dataset: ${dataset.examples.length} prompts × ${dataset.models.length} models`);

// 1. Which router is worth it? Each one is trained on the train split and scored on the test split.
const report = await evaluateRouters({ dataset, routers: ["knn", "cheapest", "random"] });
console.log(`test split: best single model ${report.bestSingle.model}, oracle AIQ ${report.oracle.aiq.toFixed(4)}`);
for (const router of report.routers) console.log(`  ${router.name.padEnd(9)} AIQ ${router.aiq.toFixed(4)}`);

// 2. Train a kNN router and save its artifact (what `switchyard train` writes).
const directory = await mkdtemp(join(tmpdir(), "switchyard-quickstart-"));
const artifactPath = join(directory, "router.json");
const artifact = await train({ dataset, router: "knn" });
await saveRouterArtifact(artifactPath, artifact);

// 3. Route in-process: the same prompt at two positions on the cost–quality curve.
const router = await loadRouter(artifactPath);
const messages = [{ role: "user", content: "Prove that the square root of 2 is irrational." }];
for (const quality of [0.1, 0.9]) {
  const decision = await router.decide({ messages, quality });
  const chosen = decision.candidates.find((candidate) => candidate.model === decision.model);
  console.log(`quality ${quality}: ${decision.model} (predicted quality ${chosen?.predictedQuality.toFixed(3)}, cost $${chosen?.predictedCostUsd.toExponential(2)}, ${decision.decisionMs.toFixed(1)} ms)`);
}

// 4. The gateway from code: in-memory store, the replay upstream playing the recorded models.
const replay = await startReplayUpstream({ examples: dataset.examples });
const prices = new Map(dataset.modelInfo.map((model) => [model.id, model]));
const config = parseConfig(
  {
    server: { host: "127.0.0.1", port: 0 },
    store: { kind: "memory" },
    upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1` }],
    targets: dataset.models.map((id) => ({ id, inputUsdPerMTok: prices.get(id)?.inputUsdPerMTok ?? 0, outputUsdPerMTok: prices.get(id)?.outputUsdPerMTok ?? 0 })),
  },
  "quickstart",
);
const gateway = await startGateway({ config, engine: await createRoutingEngine({ artifact, targets: config.targets }) });
try {
  const prompt = dataset.examples[0]?.prompt ?? "";
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "auto", quality: 0.5, messages: [{ role: "user", content: prompt }] }),
  });
  const body = /** @type {{ choices?: Array<{ message?: { content?: string } }> }} */ (await response.json());
  console.log(`gateway ${gateway.url}: status ${response.status}, served by ${response.headers.get("x-switchyard-model")}: ${JSON.stringify((body.choices?.[0]?.message?.content ?? "").slice(0, 60))}…`);
  if (response.status !== 200) process.exitCode = 1;
} finally {
  await gateway.shutdown();
  await replay.close();
  await rm(directory, { recursive: true, force: true });
}
