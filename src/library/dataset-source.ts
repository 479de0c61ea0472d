import { loadDataset } from "../data/load-dataset.js";
import type { RoutingDataset } from "../data/routing-example.js";
import { excludeContaminated } from "../data/split.js";

/** A routing dataset given by path (JSONL, RouterBench CSV, or a directory) or already loaded. */
export type DatasetSource = string | RoutingDataset;

/** The dataset behind a {@link DatasetSource}, without the prompts marked contaminated (as the CLI does by default). */
export async function datasetOf(source: DatasetSource, includeContaminated = false): Promise<RoutingDataset> {
  const dataset = typeof source === "string" ? await loadDataset(source) : source;
  return includeContaminated ? dataset : { ...dataset, examples: excludeContaminated(dataset.examples) };
}
