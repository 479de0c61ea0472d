/**
 * Real-size routers for the gateway benchmarks (issue 19): a kNN artifact trained on dcrouter's train
 * split exactly as `switchyard train --router knn` does, and a 100,000-prompt one made by replicating
 * dcrouter's training prompts with small perturbations. Training takes seconds to minutes, so each
 * artifact is cached in the system's temporary folder (never in the repository) under a name that
 * includes the dataset's size and modification time and the artifact version; `fresh` retrains.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ARTIFACT_VERSION, saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { loadDataset } from "../src/data/load-dataset.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";

/** Where the cached artifacts live (outside the repository). */
export const benchCacheDirectory = join(tmpdir(), "switchyard-bench-cache");

/** dcrouter's folder: `../shared/data/dcrouter` beside the repository. */
export function dcrouterDirectory(root: string): string {
  return join(root, "..", "shared", "data", "dcrouter");
}

/** The cache file for `name`: keyed by the dataset's content (a re-copied dataset with the same bytes keeps its artifacts). */
async function cacheName(root: string, name: string, extension = "json"): Promise<string> {
  const digest = createHash("sha256").update(await readFile(join(dcrouterDirectory(root), "dataset.jsonl"))).digest("hex").slice(0, 12);
  return join(benchCacheDirectory, `${name}-v${ARTIFACT_VERSION}-${digest}.${extension}`);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Options of the artifact builders. */
export interface BenchArtifactOptions {
  /** Repository root (to find `../shared/data`). */
  root: string;
  /** Retrain even when a cached artifact exists. */
  fresh?: boolean;
  log?: (line: string) => void;
}

/** The path of a kNN artifact trained on dcrouter's train split (default embedder, tuned), trained on first use. */
export async function dcrouterKnnArtifact(options: BenchArtifactOptions): Promise<string> {
  const path = await cacheName(options.root, "dcrouter-knn");
  if (!options.fresh && (await exists(path))) return path;
  await mkdir(benchCacheDirectory, { recursive: true });
  const dataset = await loadDataset(join(dcrouterDirectory(options.root), "dataset.jsonl"));
  const started = performance.now();
  const artifact = await trainRouterArtifact({ examples: dataset.examples.filter((example) => example.split === "train"), models: dataset.models, router: "knn", dataset: "dcrouter", split: "train" });
  await saveRouterArtifact(path, artifact);
  options.log?.(`trained the dcrouter knn artifact in ${((performance.now() - started) / 1000).toFixed(1)} s → ${path}`);
  return path;
}

/**
 * The path of a `cheapest` artifact on dcrouter's train split (always the cheapest allowed target: no
 * embedding, no search), trained on first use — the routed path's floor: what `auto` costs beyond a fixed
 * model (decision record, headers, prompt hash, trace) when the router itself costs nothing.
 */
export async function dcrouterFloorArtifact(options: BenchArtifactOptions): Promise<string> {
  const path = await cacheName(options.root, "dcrouter-cheapest");
  if (!options.fresh && (await exists(path))) return path;
  await mkdir(benchCacheDirectory, { recursive: true });
  const dataset = await loadDataset(join(dcrouterDirectory(options.root), "dataset.jsonl"));
  await saveRouterArtifact(path, await trainRouterArtifact({ examples: dataset.examples.filter((example) => example.split === "train"), models: dataset.models, router: "cheapest", dataset: "dcrouter", split: "train" }));
  return path;
}

/**
 * `count` training examples made from dcrouter's train split: copy r of prompt p is p with r words
 * (drawn with a seeded generator from the split's own vocabulary) appended, with p's outcomes — a set
 * with dcrouter's topics and score structure at any size (no new information: it measures speed and
 * size, not routing quality).
 */
export function replicatedExamples(examples: readonly RoutingExample[], count: number, seed = 19): RoutingExample[] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
  const vocabulary = [...new Set(examples.flatMap((example) => example.prompt.slice(0, 2_000).split(/\s+/).filter((word) => /^[a-z]{3,12}$/.test(word))))];
  const out: RoutingExample[] = [];
  for (let i = 0; i < count; i++) {
    const source = examples[i % examples.length] as RoutingExample;
    const copy = Math.floor(i / examples.length);
    let extra = "";
    for (let w = 0; w < Math.min(copy, 8); w++) extra += ` ${vocabulary[Math.floor(next() * vocabulary.length)]}`;
    out.push({ ...source, id: `${source.id}-copy${copy}`, prompt: source.prompt + extra });
  }
  return out;
}

/**
 * The path of a kNN artifact over `count` replicated dcrouter training prompts (see {@link replicatedExamples}),
 * with the given embedder (default `word-vectors`, the dense path for large sets) and fixed parameters
 * (k 20, power 1, prior 1: leave-one-out tuning over copies of one prompt would only find the copies).
 */
export async function scaledKnnArtifact(options: BenchArtifactOptions & { count: number; embedder?: string; params?: Record<string, unknown>; format?: "json" | "binary" }): Promise<string> {
  const embedder = options.embedder ?? "word-vectors";
  // From 300k prompts the binary form only: a million prompts' vectors do not fit in one JSON string.
  const format = options.format ?? (options.count >= 300_000 ? "binary" : "json");
  const path = await cacheName(options.root, `replicated-${options.count}-knn-${embedder}-ivf-lists${options.params ? `-${Buffer.from(JSON.stringify(options.params)).toString("hex").slice(0, 24)}` : ""}`, format === "binary" ? "bin" : "json");
  if (!options.fresh && (await exists(path))) return path;
  await mkdir(benchCacheDirectory, { recursive: true });
  const dataset = await loadDataset(join(dcrouterDirectory(options.root), "dataset.jsonl"));
  const examples = replicatedExamples(
    dataset.examples.filter((example) => example.split === "train"),
    options.count,
  );
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const artifact = await trainRouterArtifact({ examples, models: dataset.models, router: "knn", embedder: { kind: embedder }, dataset: `dcrouter replicated to ${options.count}`, split: "train", params: { k: 20, power: 1, priorWeight: 1, ...options.params } });
  const trained = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  await saveRouterArtifact(path, artifact, { format });
  const size = (await stat(path)).size;
  options.log?.(`trained a ${options.count}-prompt knn (${embedder}) in ${((trained - started) / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (saved in ${((performance.now() - trained) / 1000).toFixed(1)} s, ${(size / 1e6).toFixed(1)} MB) → ${path}`);
  return path;
}

/** dcrouter's models with prices (`models.json`), as gateway targets. */
export async function dcrouterTargets(root: string): Promise<Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }>> {
  const prices = JSON.parse(await readFile(join(dcrouterDirectory(root), "models.json"), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> };
  return prices.models.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok }));
}

/** dcrouter's test prompts (381). */
export async function dcrouterTestPrompts(root: string): Promise<string[]> {
  const dataset = await loadDataset(join(dcrouterDirectory(root), "dataset.jsonl"));
  return dataset.examples.filter((example) => example.split === "test").map((example) => example.prompt);
}
