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
// Wall time is what a caller sees; CPU time (user + system of this process) separates the router's own
// cost from time spent waiting for a core on a shared machine.
const latencies: number[] = [];
const cpuTimes: number[] = [];
for (const prompt of prompts) {
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  await engine.decide(queryOfPrompt(prompt, { quality: 0.5 }));
  latencies.push(performance.now() - started);
  const cpu = process.cpuUsage(cpuStarted);
  cpuTimes.push((cpu.user + cpu.system) / 1000);
}
latencies.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
const quantileOf = (values: number[], q: number): number => values[Math.min(values.length - 1, Math.floor(q * values.length))]!;
const quantile = (q: number): number => quantileOf(latencies, q);
const artifactBytes = Buffer.byteLength(JSON.stringify(artifact));
const [load1] = (await import("node:os")).loadavg();
console.log(`| router | training prompts | candidates | prompts timed | wall p50 ms | wall p90 ms | wall p99 ms | CPU p50 ms | CPU p99 ms | train s | artifact MB | load average |`);
console.log(`|---|---|---|---|---|---|---|---|---|---|---|---|`);
console.log(
  `| ${router} | ${train.length} | ${dataset.models.length} | ${latencies.length} | ${quantile(0.5).toFixed(3)} | ${quantile(0.9).toFixed(3)} | ${quantile(0.99).toFixed(3)} | ${quantileOf(cpuTimes, 0.5).toFixed(3)} | ${quantileOf(cpuTimes, 0.99).toFixed(3)} | ${(trainMs / 1000).toFixed(1)} | ${(artifactBytes / 1e6).toFixed(1)} | ${load1!.toFixed(1)} |`,
);
