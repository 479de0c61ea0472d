import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDataset } from "../src/data/load-dataset.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import { excludeContaminated, splitDataset } from "../src/data/split.js";

const dataDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../shared/data");

/** The routing-quality sets: file, and whether the split is the file's own or a seeded 50/50 one (RouteLLM). */
export const BENCHMARK_SETS: Record<string, { file: string; seededHalf: boolean }> = {
  routerbench: { file: "routerbench/dataset.jsonl", seededHalf: false },
  dcrouter: { file: "dcrouter/dataset.jsonl", seededHalf: false },
  "routellm-mmlu": { file: "routellm/mmlu.jsonl", seededHalf: true },
  "routellm-gsm8k": { file: "routellm/gsm8k.jsonl", seededHalf: true },
};

/** A benchmark set's whole file (both splits, contaminated rows included), by its name in {@link BENCHMARK_SETS}. */
export async function loadBenchmarkDataset(name: string): Promise<Awaited<ReturnType<typeof loadDataset>>> {
  const set = BENCHMARK_SETS[name];
  if (!set) throw new Error(`unknown set ${name} (known: ${Object.keys(BENCHMARK_SETS).join(", ")})`);
  return loadDataset(join(dataDir, set.file));
}

/**
 * The train and test prompts of a benchmark set, `contaminated` rows excluded: the file's own split, or
 * for the RouteLLM sets a seeded 50/50 split.
 */
export async function loadBenchmarkSplits(name: string, seed: number): Promise<{ train: RoutingExample[]; test: RoutingExample[]; models: string[] }> {
  const set = BENCHMARK_SETS[name];
  if (!set) throw new Error(`unknown set ${name} (known: ${Object.keys(BENCHMARK_SETS).join(", ")})`);
  const dataset = await loadBenchmarkDataset(name);
  const examples = excludeContaminated(dataset.examples);
  if (set.seededHalf) return { ...splitDataset(examples, { trainFraction: 0.5, seed }), models: [...dataset.models] };
  return { train: examples.filter((example) => example.split === "train"), test: examples.filter((example) => example.split === "test"), models: [...dataset.models] };
}
