/**
 * Decision latency of the routing engine (embed + predict every candidate + objective) with a router
 * trained on the dcrouter training split: p50/p99 over 1,000 prompts (the 381 test prompts, then
 * training prompts), after a warm-up. Run on one core:
 *   taskset -c 0 npx tsx benchmarks/decision-latency.ts [--router knn] [--dataset FILE]
 */
import { createRoutingEngine } from "../src/core/create-routing-engine.js";
import { queryOfPrompt } from "../src/core/query.js";
import { loadDataset } from "../src/data/load-dataset.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";

const argument = (name: string, fallback: string): string => {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] ?? fallback : fallback;
};
const datasetPath = argument("--dataset", "../shared/data/dcrouter/dataset.jsonl");
const router = argument("--router", "knn");
const dataset = await loadDataset(datasetPath);
const train = dataset.examples.filter((example) => example.split === "train");
const test = dataset.examples.filter((example) => example.split === "test");
const trainStarted = performance.now();
const artifact = await trainRouterArtifact({ examples: train, models: dataset.models, router, dataset: datasetPath, split: "train" });
const trainMs = performance.now() - trainStarted;
const targets = dataset.models.map((id) => ({ id, inputUsdPerMTok: 0, outputUsdPerMTok: 0, contextWindow: 128_000 }));
const engine = await createRoutingEngine({ artifact, targets });
const prompts = [...test, ...train].slice(0, 1000).map((example) => example.prompt);
for (const prompt of prompts.slice(0, 200)) await engine.decide(queryOfPrompt(prompt, { quality: 0.5 }));
const latencies: number[] = [];
for (const prompt of prompts) {
  const started = performance.now();
  await engine.decide(queryOfPrompt(prompt, { quality: 0.5 }));
  latencies.push(performance.now() - started);
}
latencies.sort((a, b) => a - b);
const quantile = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
const artifactBytes = Buffer.byteLength(JSON.stringify(artifact));
console.log(`| router | training prompts | candidates | prompts timed | p50 ms | p90 ms | p99 ms | max ms | train s | artifact MB |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|`);
console.log(
  `| ${router} | ${train.length} | ${dataset.models.length} | ${latencies.length} | ${quantile(0.5).toFixed(3)} | ${quantile(0.9).toFixed(3)} | ${quantile(0.99).toFixed(3)} | ${latencies[latencies.length - 1]!.toFixed(3)} | ${(trainMs / 1000).toFixed(1)} | ${(artifactBytes / 1e6).toFixed(1)} |`,
);
