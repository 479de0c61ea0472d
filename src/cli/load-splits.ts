import { excludeContaminated, selectSplit } from "../data/split.js";
import { loadDataset } from "../data/load-dataset.js";
import type { RoutingDataset, RoutingExample } from "../data/routing-example.js";

/** Dataset options shared by `train` and `eval`. */
export interface DatasetOptions {
  dataset: string;
  seed: number;
  trainFraction?: number;
  includeContaminated?: boolean;
}

/** Loads a dataset and drops contaminated prompts unless asked not to; notes go to `note`. */
export async function loadForRouting(options: DatasetOptions, note: (line: string) => void): Promise<RoutingDataset> {
  const dataset = await loadDataset(options.dataset);
  for (const warning of dataset.warnings ?? []) note(`note: ${warning}`);
  if (options.includeContaminated) return dataset;
  const clean = excludeContaminated(dataset.examples);
  if (clean.length < dataset.examples.length) note(`note: excluded ${dataset.examples.length - clean.length} prompts marked contaminated (--include-contaminated keeps them)`);
  return { ...dataset, examples: clean };
}

/** The examples of split `name`, saying so when the dataset had no splits and a seeded one was assigned. */
export function splitOf(dataset: RoutingDataset, name: string, options: DatasetOptions, note: (line: string) => void): RoutingExample[] {
  const selected = selectSplit(dataset, name, { seed: options.seed, trainFraction: options.trainFraction });
  if (selected.assigned) note(`note: ${dataset.source} defines no splits; assigned a seeded ${Math.round((options.trainFraction ?? 0.7) * 100)}/${Math.round((1 - (options.trainFraction ?? 0.7)) * 100)} train/test split (seed ${options.seed})`);
  return selected.examples;
}
