import { SwitchyardError } from "../core/errors.js";
import { createRandom, shuffled } from "../core/random.js";
import { datasetError } from "./dataset-error.js";
import type { RoutingDataset, RoutingExample } from "./routing-example.js";

/** Options of a seeded train/test split. */
export interface SplitOptions {
  /** Share of examples that go to `train`, in (0, 1). Default 0.7. */
  trainFraction?: number;
  /** Seed of the shuffle: the same seed and data always give the same split. */
  seed: number;
}

/** A train/test partition; each side keeps the examples' original order. */
export interface DatasetSplit {
  train: RoutingExample[];
  test: RoutingExample[];
}

/** The examples of one split, and whether the split had to be assigned because the data defined none. */
export interface SelectedSplit {
  examples: RoutingExample[];
  assigned: boolean;
}

function validated(options: SplitOptions): { trainFraction: number; seed: number } {
  const trainFraction = options.trainFraction ?? 0.7;
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new SwitchyardError("invalid_config", `trainFraction must be a number between 0 and 1 (exclusive), got ${trainFraction}`, { param: "trainFraction" });
  }
  if (!Number.isFinite(options.seed)) throw new SwitchyardError("invalid_config", `seed must be a finite number, got ${options.seed}`, { param: "seed" });
  return { trainFraction, seed: options.seed };
}

/**
 * Seeded shuffle split into train and test, stratified by `task` when the examples have tasks: each
 * task contributes its share to both sides. The total train size is `round(n × trainFraction)`; each
 * task gets `floor(n_task × trainFraction)` plus, by largest remainder, the rounding that makes up the total.
 *
 * @example
 * const { train, test } = splitDataset(dataset.examples, { seed: 7 }); // 70 % / 30 %
 */
export function splitDataset(examples: readonly RoutingExample[], options: SplitOptions): DatasetSplit {
  const { trainFraction, seed } = validated(options);
  const stratified = examples.some((example) => example.task !== undefined);
  const groups = new Map<string, number[]>();
  examples.forEach((example, index) => {
    const key = stratified ? (example.task ?? "") : "";
    const group = groups.get(key);
    if (group) group.push(index);
    else groups.set(key, [index]);
  });
  const entries = [...groups.values()];
  const quotas = entries.map((group) => group.length * trainFraction);
  const counts = quotas.map(Math.floor);
  let missing = Math.round(examples.length * trainFraction) - counts.reduce((sum, count) => sum + count, 0);
  const byRemainder = quotas.map((quota, index) => ({ index, remainder: quota - Math.floor(quota) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of byRemainder) {
    if (missing <= 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
    missing--;
  }
  const random = createRandom(seed);
  const inTrain = new Set<number>();
  entries.forEach((group, index) => {
    for (const member of shuffled(group, random).slice(0, counts[index] ?? 0)) inTrain.add(member);
  });
  const train: RoutingExample[] = [];
  const test: RoutingExample[] = [];
  examples.forEach((example, index) => (inTrain.has(index) ? train : test).push(example));
  return { train, test };
}

/**
 * The examples whose `split` is `name`. When no example has a `split`, a seeded train/test split
 * ({@link splitDataset}) is assigned first, the returned examples carry it, and `assigned` is true so
 * the caller can say so. An unknown split name is an `invalid_dataset` error listing the splits there are.
 *
 * @example
 * const { examples, assigned } = selectSplit(dataset, "test", { seed: 7 });
 */
export function selectSplit(dataset: Pick<RoutingDataset, "examples"> & { source?: string }, name: string, options: SplitOptions): SelectedSplit {
  const source = dataset.source ?? "dataset";
  const available: string[] = [];
  for (const example of dataset.examples) {
    if (example.split !== undefined && !available.includes(example.split)) available.push(example.split);
  }
  if (available.length > 0) {
    if (!available.includes(name)) throw datasetError({ file: source }, `no split ${JSON.stringify(name)}; available splits: ${available.join(", ")}`);
    return { examples: dataset.examples.filter((example) => example.split === name), assigned: false };
  }
  if (name !== "train" && name !== "test") {
    throw datasetError({ file: source }, `no split ${JSON.stringify(name)}; the dataset defines no splits, so a seeded one is assigned: choose train or test`);
  }
  const split = splitDataset(dataset.examples, options);
  return { examples: split[name].map((example) => ({ ...example, split: name })), assigned: true };
}

/** The examples not marked `contaminated` (RouteLLM's benchmark contamination flags). */
export function excludeContaminated(examples: readonly RoutingExample[]): RoutingExample[] {
  return examples.filter((example) => example.contaminated !== true);
}
