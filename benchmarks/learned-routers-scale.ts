/**
 * Training and prediction time of the learned routers at scale, on synthetic data shaped like hashed
 * TF-IDF input: `--prompts` prompts (default 100,000) × `--dimension` buckets (4,096) with about
 * `--nonZeros` non-zeros each (350, dcrouter's mean; RouterBench's prompts have ~1,100) × `--models`
 * candidates (11). Outcomes come from 20 latent tasks with per-task, per-model accuracies, so the routers
 * have something to learn; quality is not the point here (see benchmarks/learned-routers.ts).
 *
 * The routers read the sparse form; every row's dense `embeddings` entry is one shared zero vector, so the
 * benchmark does not need 1.6 GB for dense copies it never reads.
 *
 * Run: npx tsx benchmarks/learned-routers-scale.ts [--prompts 100000] [--nonZeros 350] [--routers linear,mlp,…]
 */
import { parseArgs } from "node:util";
import { createRandom } from "../src/core/random.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import type { SparseVector } from "../src/embedders/sparse-vector.js";
import { clusterRouterTrainer } from "../src/routers/cluster/index.js";
import { linearRouterTrainer } from "../src/routers/linear/index.js";
import { matrixFactorizationRouterTrainer } from "../src/routers/matrix-factorization/index.js";
import { mlpRouterTrainer } from "../src/routers/mlp/index.js";
import type { RouterTrainer, TrainingSet } from "../src/routers/router-trainer.js";

const trainers: Record<string, RouterTrainer> = {
  linear: linearRouterTrainer,
  mlp: mlpRouterTrainer,
  "matrix-factorization": matrixFactorizationRouterTrainer,
  cluster: clusterRouterTrainer,
};

const { values } = parseArgs({
  options: {
    prompts: { type: "string", default: "100000" },
    dimension: { type: "string", default: "4096" },
    nonZeros: { type: "string", default: "350" },
    models: { type: "string", default: "11" },
    routers: { type: "string", default: Object.keys(trainers).join(",") },
    seed: { type: "string", default: "7" },
  },
});
const n = Number(values.prompts);
const dimension = Number(values.dimension);
const nonZeros = Number(values.nonZeros);
const modelCount = Number(values.models);
const random = createRandom(Number(values.seed));
const models = Array.from({ length: modelCount }, (_, j) => `model-${j}`);
const tasks = 20;
const accuracy = Array.from({ length: tasks }, () => models.map(() => 0.2 + 0.7 * random()));
const taskVocabulary = Array.from({ length: tasks }, () => Int32Array.from({ length: 200 }, () => Math.floor(random() * dimension)));

const zero = new Float32Array(dimension);
const examples: RoutingExample[] = [];
const sparseEmbeddings: SparseVector[] = [];
const promptTokens: number[] = [];
for (let i = 0; i < n; i++) {
  const task = Math.floor(random() * tasks);
  const values = new Map<number, number>();
  // Half the non-zeros from the task's vocabulary, half anywhere (shared words, character n-grams).
  const count = Math.max(4, Math.round(nonZeros * (0.5 + random())));
  for (let p = 0; p < count; p++) {
    const index = p % 2 === 0 ? taskVocabulary[task]![Math.floor(random() * 200)]! : Math.floor(random() * dimension);
    values.set(index, (values.get(index) ?? 0) + random());
  }
  const indices = Uint32Array.from([...values.keys()].sort((a, b) => a - b));
  const vector = Float32Array.from(indices, (index) => values.get(index)!);
  let norm = 0;
  for (const value of vector) norm += value * value;
  for (let p = 0; p < vector.length; p++) vector[p]! /= Math.sqrt(norm);
  sparseEmbeddings.push({ indices, values: vector });
  const tokens = 20 + Math.floor(random() * 500);
  promptTokens.push(tokens);
  const outcomes: RoutingExample["outcomes"] = {};
  models.forEach((model, j) => (outcomes[model] = { score: random() < accuracy[task]![j]! ? 1 : 0, costUsd: (j + 1) * 1e-7 * (tokens + 256) }));
  examples.push({ id: `scale-${i}`, prompt: "", outcomes });
}
const data: TrainingSet = { examples, embeddings: examples.map(() => zero), sparseEmbeddings, promptTokens, models };
const meanNonZeros = sparseEmbeddings.reduce((sum, vector) => sum + vector.indices.length, 0) / n;
console.log(`${n} prompts × ${dimension} dims (mean ${meanNonZeros.toFixed(0)} non-zeros) × ${modelCount} models\n`);
console.log("| router | train wall s | train CPU s | predict ms/query | state JSON MB | training notes |");
console.log("|---|---|---|---|---|---|");
let totalCpu = 0;
for (const name of values.routers.split(",")) {
  const trainer = trainers[name];
  if (!trainer) throw new Error(`unknown router ${name}`);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const router = trainer.train(data, { seed: 7 });
  const wall = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  totalCpu += cpuSeconds;
  const queries = 2000;
  const predictStarted = performance.now();
  for (let i = 0; i < queries; i++) router.predictQuality({ text: "", embedding: zero, sparseEmbedding: sparseEmbeddings[i], promptTokens: promptTokens[i]! });
  const predictMs = (performance.now() - predictStarted) / queries;
  const state = router.toState() as { training?: Record<string, unknown> };
  const stateMb = JSON.stringify(state).length / 1e6;
  const notes = Object.entries(state.training ?? {})
    .filter(([key]) => ["logisticIterations", "epochLimit", "epochsRun", "bestEpoch", "kMeansIterations", "fittedOn"].includes(key))
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(", ");
  console.log(`| ${name} | ${wall.toFixed(1)} | ${cpuSeconds.toFixed(1)} | ${predictMs.toFixed(3)} | ${stateMb.toFixed(1)} | ${notes} |`);
}
console.log(`\ntotal training CPU: ${totalCpu.toFixed(1)} s`);
