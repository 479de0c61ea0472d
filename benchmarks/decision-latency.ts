/**
 * Decision latency of the routing engine (embed + predict every candidate + objective), one prompt at a
 * time through `RoutingEngine.decide`, with routers trained on a dataset's training split: p50/p90/p99
 * wall and CPU time over 1,000 prompts (the test prompts, then training prompts) after 200 warm-up
 * decisions. Each router is timed `--repeats` times in the same process; the row shows the median of the
 * passes' quantiles and the spread of their p99. The "embed" columns time the embedder alone on the
 * same prompts (as the engine calls it), so the router's share is the difference. Run on one core:
 *
 *   taskset -c 0 node --expose-gc --import tsx benchmarks/decision-latency.ts [--dataset dcrouter|routerbench|FILE]
 *     [--embedder hashed-tfidf|word-vectors|combined|sentence-encoder] [--routers knn,cluster,task-knn,auto] [--repeats 3] [--save DIR]
 *
 * `combined` is hashed-tfidf (weight 1) + word-vectors (weight 0.7), the best mix in docs/embedders.md.
 */
import { loadavg } from "node:os";
import { basename, dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { createRoutingEngine } from "../src/core/create-routing-engine.js";
import { queryOfPrompt } from "../src/core/query.js";
import { loadDataset } from "../src/data/load-dataset.js";
import { embedderFromState } from "../src/embedders/create-embedder.js";
import { densify, isSparseEmbedder } from "../src/embedders/sparse-vector.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";
import type { EmbedderSpec } from "../src/training/training-set.js";

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: "dcrouter" },
    embedder: { type: "string", default: "hashed-tfidf" },
    router: { type: "string" },
    routers: { type: "string", default: "knn" },
    repeats: { type: "string", default: "3" },
    prompts: { type: "string", default: "1000" },
    seed: { type: "string", default: "42" },
    /** Write each trained artifact to DIR/<dataset>-<embedder>-<router>.json (for profiling). */
    save: { type: "string" },
  },
});

const embedderSpecs: Record<string, EmbedderSpec> = {
  "hashed-tfidf": { kind: "hashed-tfidf" },
  "word-vectors": { kind: "word-vectors" },
  combined: { kind: "combined", options: { parts: [{ kind: "hashed-tfidf", weight: 1 }, { kind: "word-vectors", weight: 0.7 }] } },
  // No vector cache: every decision pays the encoder, as a new prompt does.
  "sentence-encoder": { kind: "sentence-encoder", options: { cache: false } },
};
const embedder = embedderSpecs[values.embedder];
if (!embedder) throw new Error(`--embedder must be one of ${Object.keys(embedderSpecs).join(", ")}`);
const datasetPath = values.dataset.includes("/") ? values.dataset : `../shared/data/${values.dataset}/dataset.jsonl`;
const routers = (values.router ?? values.routers).split(",");
const repeats = Number(values.repeats);
const dataset = await loadDataset(datasetPath);
const train = dataset.examples.filter((example) => example.split === "train");
const test = dataset.examples.filter((example) => example.split === "test");
const prompts = [...test, ...train].slice(0, Number(values.prompts)).map((example) => example.prompt);
const targets = dataset.models.map((id) => ({ id, inputUsdPerMTok: 0, outputUsdPerMTok: 0, contextWindow: 128_000 }));

const quantileOf = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
const median = (numbers: readonly number[]): number => {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
};

/** Times `run` once per prompt: sorted wall and CPU (user + system of this process) milliseconds. */
async function timeEach(run: (prompt: string) => unknown): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (const prompt of prompts) {
    const cpuStarted = process.cpuUsage();
    const started = performance.now();
    await run(prompt);
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuStarted);
    cpu.push((used.user + used.system) / 1000);
  }
  return { wall: wall.sort((a, b) => a - b), cpu: cpu.sort((a, b) => a - b) };
}

console.log(`dataset ${datasetPath}: ${train.length} training prompts, ${dataset.models.length} candidates; embedder ${values.embedder}; ${prompts.length} prompts timed × ${repeats} passes; load average before: ${loadavg()[0]!.toFixed(2)}\n`);
console.log("| router | embedder | wall p50 ms | wall p90 ms | wall p99 ms (passes) | CPU p50 ms | CPU p99 ms | embed p50 ms | embed p99 ms | train s | artifact MB | load average |");
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|");
for (const router of routers) {
  const trainStarted = performance.now();
  const artifact = await trainRouterArtifact({ examples: train, models: dataset.models, router, embedder, dataset: datasetPath, split: "train", seed: Number(values.seed) });
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  if (values.save) await saveRouterArtifact(join(values.save, `${basename(dirname(datasetPath))}-${values.embedder}-${router}.json`), artifact);
  const engine = await createRoutingEngine({ artifact, targets });
  // A server loads an artifact and serves; it does not carry the garbage of training four routers. With
  // `node --expose-gc` collect that garbage before timing, so it does not land in the quantiles.
  (globalThis as { gc?: () => void }).gc?.();
  const decide = (prompt: string): Promise<unknown> => engine.decide(queryOfPrompt(prompt, { quality: 0.5 }));
  for (const prompt of prompts.slice(0, 200)) await decide(prompt);
  const passes: Array<{ wall: number[]; cpu: number[] }> = [];
  for (let pass = 0; pass < repeats; pass++) passes.push(await timeEach(decide));
  // The embedder alone, called as the engine calls it (sparse form when it has one, then densified).
  const alone = await embedderFromState(artifact.embedder);
  const sparse = isSparseEmbedder(alone) ? alone : undefined;
  const embedOne = async (prompt: string): Promise<unknown> => (sparse ? densify(sparse.embedSparse([prompt])[0]!, alone.dimension) : (await alone.embed([prompt]))[0]);
  for (const prompt of prompts.slice(0, 200)) await embedOne(prompt);
  const embedTimes = await timeEach(embedOne);
  const of = (pick: (pass: { wall: number[]; cpu: number[] }) => number[], q: number): number => median(passes.map((pass) => quantileOf(pick(pass), q)));
  const p99s = passes.map((pass) => quantileOf(pass.wall, 0.99).toFixed(2)).join(", ");
  const state = artifact.router as { kind: string; chosen?: { kind: string; meta?: unknown } };
  const name = state.chosen ? `auto → ${state.chosen.kind}` : router;
  const artifactMb = Buffer.byteLength(JSON.stringify(artifact)) / 1e6;
  console.log(
    `| ${name} | ${values.embedder} | ${of((p) => p.wall, 0.5).toFixed(3)} | ${of((p) => p.wall, 0.9).toFixed(3)} | **${of((p) => p.wall, 0.99).toFixed(3)}** (${p99s}) | ${of((p) => p.cpu, 0.5).toFixed(3)} | ${of((p) => p.cpu, 0.99).toFixed(3)} | ${quantileOf(embedTimes.wall, 0.5).toFixed(3)} | ${quantileOf(embedTimes.wall, 0.99).toFixed(3)} | ${trainSeconds.toFixed(1)} | ${artifactMb.toFixed(1)} | ${loadavg()[0]!.toFixed(2)} |`,
  );
}
