import type { RouterArtifact } from "../artifacts/router-artifact.js";
import { selectSplit } from "../data/split.js";
import { trainRouterArtifact } from "../training/train-router-artifact.js";
import type { EmbedderSpec } from "../training/training-set.js";
import { datasetOf, type DatasetSource } from "./dataset-source.js";

/** Options of {@link train}. */
export interface TrainOptions {
  /** Routing dataset: a path, or a dataset from `loadDataset`. */
  dataset: DatasetSource;
  /** Router strategy (default `knn`): knn, task-knn, linear, mlp, matrix-factorization, cluster, ensemble, auto. */
  router?: string;
  /** Split to train on (default `train`; a seeded split is assigned when the dataset defines none). */
  split?: string;
  /** Featurizer (default hashed-tfidf). */
  embedder?: EmbedderSpec;
  /** Router parameters, e.g. `{ k: 20 }` for knn. */
  params?: Record<string, unknown>;
  /** Seed of the split and of training (default 42). */
  seed?: number;
  /** Train share when the dataset defines no splits (default 0.7). */
  trainFraction?: number;
  /** Keep prompts marked contaminated (default false). */
  includeContaminated?: boolean;
}

/**
 * Trains a router on one split of a dataset and returns its artifact (save it with `saveRouterArtifact`,
 * route with `loadRouter`). The same as `switchyard train`.
 *
 * @example
 * const artifact = await train({ dataset: "dataset.jsonl", router: "knn" });
 * await saveRouterArtifact("router.json", artifact);
 */
export async function train(options: TrainOptions): Promise<RouterArtifact> {
  const dataset = await datasetOf(options.dataset, options.includeContaminated);
  const seed = options.seed ?? 42;
  const split = options.split ?? "train";
  const { examples } = selectSplit(dataset, split, { seed, ...(options.trainFraction === undefined ? {} : { trainFraction: options.trainFraction }) });
  return trainRouterArtifact({
    examples,
    models: dataset.models,
    router: options.router ?? "knn",
    dataset: dataset.source,
    split,
    seed,
    ...(options.embedder === undefined ? {} : { embedder: options.embedder }),
    ...(options.params === undefined ? {} : { params: options.params }),
  });
}
