/**
 * Training time of every registered router at scale (issue #3: "training every router on 100,000
 * prompts takes ≤ 2 minutes on 2 cores").
 *
 * `--data dcrouter` (default): dcrouter's training split (5,608 prompts, 9 models, 14 tasks) replicated
 * to `--prompts` prompts (default 100,000). Copy 0 of each prompt is the original; every further copy is
 * perturbed with 1–3 seeded word edits (drop a word, repeat a word, swap two neighbours), so no two
 * prompts embed identically, and keeps the original's outcomes and task. The run is what
 * `switchyard train` does: fit the embedder and embed every prompt once (`prepareTraining`, timed
 * apart), then for each router `trainRouter` — the router on the whole set plus the 80 % copy trained
 * for the knob calibration (auto and ensemble, which cross-validate on a 10,000-prompt sample here,
 * refit that copy with the choices of the full training: `RouterTrainer.trainLike`). "router s" is
 * `trainer.train` on the whole set alone.
 *
 * `--data synthetic`: the earlier synthetic data shaped like hashed TF-IDF input (`--dimension` 4,096
 * buckets, about `--nonZeros` 350 non-zeros each, `--models` 11 candidates, 20 latent tasks), sparse form
 * only (every dense `embeddings` entry is one shared zero vector), `trainer.train` only. Routers that
 * read the dense vectors or the prompt text (knn with a dense embedder, ensemble's question view) do not
 * make sense on it.
 *
 * Run one router per process to keep the figures apart (the embedding is redone each time):
 *   npx tsx benchmarks/learned-routers-scale.ts [--data dcrouter|synthetic] [--prompts 100000]
 *     [--embedder hashed-tfidf|word-vectors] [--routers knn,task-knn,cluster,linear,mlp,matrix-factorization,ensemble,auto]
 */
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { createRandom, type Random } from "../src/core/random.js";
import { loadDataset } from "../src/data/load-dataset.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import type { SparseVector } from "../src/embedders/sparse-vector.js";
import { routerTrainerFor } from "../src/routers/create-router-trainer.js";
import type { Router } from "../src/routers/router.js";
import type { TrainingSet } from "../src/routers/router-trainer.js";
import { routeInputOf } from "../src/training/predict.js";
import { trainRouter } from "../src/training/train-router.js";
import { prepareTraining, type PreparedTraining } from "../src/training/training-set.js";

const allRouters = ["knn", "task-knn", "cluster", "linear", "mlp", "matrix-factorization", "ensemble", "auto"];
const { values } = parseArgs({
  options: {
    data: { type: "string", default: "dcrouter" },
    prompts: { type: "string", default: "100000" },
    embedder: { type: "string", default: "hashed-tfidf" },
    dimension: { type: "string", default: "4096" },
    nonZeros: { type: "string", default: "350" },
    models: { type: "string", default: "11" },
    routers: { type: "string", default: allRouters.join(",") },
    seed: { type: "string", default: "7" },
  },
});
const n = Number(values.prompts);
const seed = Number(values.seed);
const random = createRandom(seed);

const cpuSecondsSince = (started: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(started);
  return (used.user + used.system) / 1e6;
};

/** A copy of `prompt` with 1–3 word edits. */
function perturb(prompt: string, random: Random): string {
  const words = prompt.split(" ");
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits && words.length > 2; e++) {
    const at = Math.floor(random() * (words.length - 1));
    const kind = random();
    if (kind < 1 / 3) words.splice(at, 1);
    else if (kind < 2 / 3) words.splice(at, 0, words[at]!);
    else [words[at], words[at + 1]] = [words[at + 1]!, words[at]!];
  }
  return words.join(" ");
}

async function replicatedDcrouter(): Promise<PreparedTraining & { embedSeconds: number; embedCpuSeconds: number; description: string }> {
  const dataset = await loadDataset("../shared/data/dcrouter/dataset.jsonl");
  const train = dataset.examples.filter((example) => example.split === "train");
  const examples: RoutingExample[] = [];
  for (let i = 0; i < n; i++) {
    const original = train[i % train.length]!;
    const copy = Math.floor(i / train.length);
    examples.push(copy === 0 ? original : { ...original, id: `${original.id}#${copy}`, prompt: perturb(original.prompt, random) });
  }
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const prepared = await prepareTraining(examples, dataset.models, { kind: values.embedder });
  return {
    ...prepared,
    embedSeconds: (performance.now() - started) / 1000,
    embedCpuSeconds: cpuSecondsSince(cpuStarted),
    description: `dcrouter train split (${train.length} prompts) replicated to ${n} (copies perturbed by 1–3 word edits) × ${dataset.models.length} models, embedder ${values.embedder}`,
  };
}

function synthetic(): { data: TrainingSet; description: string } {
  const dimension = Number(values.dimension);
  const nonZeros = Number(values.nonZeros);
  const models = Array.from({ length: Number(values.models) }, (_, j) => `model-${j}`);
  const tasks = 20;
  const accuracy = Array.from({ length: tasks }, () => models.map(() => 0.2 + 0.7 * random()));
  const taskVocabulary = Array.from({ length: tasks }, () => Int32Array.from({ length: 200 }, () => Math.floor(random() * dimension)));
  const zero = new Float32Array(dimension);
  const examples: RoutingExample[] = [];
  const sparseEmbeddings: SparseVector[] = [];
  const promptTokens: number[] = [];
  for (let i = 0; i < n; i++) {
    const task = Math.floor(random() * tasks);
    const entries = new Map<number, number>();
    // Half the non-zeros from the task's vocabulary, half anywhere (shared words, character n-grams).
    const count = Math.max(4, Math.round(nonZeros * (0.5 + random())));
    for (let p = 0; p < count; p++) {
      const index = p % 2 === 0 ? taskVocabulary[task]![Math.floor(random() * 200)]! : Math.floor(random() * dimension);
      entries.set(index, (entries.get(index) ?? 0) + random());
    }
    const indices = Uint32Array.from([...entries.keys()].sort((a, b) => a - b));
    const vector = Float32Array.from(indices, (index) => entries.get(index)!);
    let norm = 0;
    for (const value of vector) norm += value * value;
    for (let p = 0; p < vector.length; p++) vector[p]! /= Math.sqrt(norm);
    sparseEmbeddings.push({ indices, values: vector });
    const tokens = 20 + Math.floor(random() * 500);
    promptTokens.push(tokens);
    const outcomes: RoutingExample["outcomes"] = {};
    models.forEach((model, j) => (outcomes[model] = { score: random() < accuracy[task]![j]! ? 1 : 0, costUsd: (j + 1) * 1e-7 * (tokens + 256) }));
    examples.push({ id: `scale-${i}`, prompt: "", task: `task-${task}`, outcomes });
  }
  const meanNonZeros = sparseEmbeddings.reduce((sum, vector) => sum + vector.indices.length, 0) / n;
  return {
    data: { examples, embeddings: examples.map(() => zero), sparseEmbeddings, promptTokens, models },
    description: `synthetic: ${n} prompts × ${dimension} dims (mean ${meanNonZeros.toFixed(0)} non-zeros) × ${models.length} models`,
  };
}

/** Mean prediction time over the first 2,000 rows (ms per query). */
function predictMs(router: Router, data: TrainingSet): number {
  const queries = Math.min(2000, data.examples.length);
  const started = performance.now();
  for (let i = 0; i < queries; i++) router.predictQuality(routeInputOf(data, i));
  return (performance.now() - started) / queries;
}

/** What the router's state says about its own training (tuning, chosen member, iterations). */
function notesOf(router: Router): string {
  const state = router.toState() as { kind: string; training?: Record<string, unknown>; tuning?: { queries?: number }; chosen?: { kind: string }; cv?: { chosen?: string; rows?: number } };
  const notes = Object.entries(state.training ?? {})
    .filter(([key]) => ["logisticIterations", "epochLimit", "epochsRun", "bestEpoch", "kMeansIterations", "fittedOn"].includes(key))
    .map(([key, value]) => `${key} ${String(value)}`);
  if (state.tuning?.queries) notes.push(`LOO tuning on ${state.tuning.queries} queries`);
  if (state.chosen) notes.push(`chose ${state.chosen.kind}`);
  if (state.cv?.chosen) notes.push(`CV chose ${state.cv.chosen}`);
  if (state.cv?.rows) notes.push(`CV on ${state.cv.rows} rows`);
  return notes.join(", ");
}

const routers = values.routers.split(",");
console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
if (values.data === "dcrouter") {
  const prepared = await replicatedDcrouter();
  console.log(`${prepared.description}\nembedder fit + embed: ${prepared.embedSeconds.toFixed(1)} s wall, ${prepared.embedCpuSeconds.toFixed(1)} s CPU\n`);
  console.log("| router | train wall s (router + calibration copy) | train CPU s | router s | predict ms/query | state JSON MB | notes | load average |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const name of routers) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const trained = trainRouter(prepared, { router: name, seed });
    const wall = (performance.now() - started) / 1000;
    const cpu = cpuSecondsSince(cpuStarted);
    const stateMb = JSON.stringify(trained.router.toState()).length / 1e6;
    console.log(`| ${name} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${(trained.trainMs / 1000).toFixed(1)} | ${predictMs(trained.router, prepared.data).toFixed(3)} | ${stateMb.toFixed(1)} | ${notesOf(trained.router)} | ${loadavg()[0]!.toFixed(2)} |`);
  }
} else if (values.data === "synthetic") {
  const { data, description } = synthetic();
  console.log(`${description}\n`);
  console.log("| router | train wall s | train CPU s | predict ms/query | state JSON MB | notes | load average |");
  console.log("|---|---|---|---|---|---|---|");
  for (const name of routers) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const router = routerTrainerFor(name).train(data, { seed });
    const wall = (performance.now() - started) / 1000;
    const cpu = cpuSecondsSince(cpuStarted);
    const stateMb = JSON.stringify(router.toState()).length / 1e6;
    console.log(`| ${name} | ${wall.toFixed(1)} | ${cpu.toFixed(1)} | ${predictMs(router, data).toFixed(3)} | ${stateMb.toFixed(1)} | ${notesOf(router)} | ${loadavg()[0]!.toFixed(2)} |`);
  }
} else {
  throw new Error("--data must be dcrouter or synthetic");
}
