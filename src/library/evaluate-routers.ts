import { selectSplit } from "../data/split.js";
import { evaluate } from "../eval/evaluate.js";
import type { EvaluationReport } from "../eval/evaluation-report.js";
import { buildEvaluationInput } from "../training/run-evaluation.js";
import type { EmbedderSpec } from "../training/training-set.js";
import { datasetOf, type DatasetSource } from "./dataset-source.js";

/** Options of {@link evaluateRouters}. */
export interface EvaluateRoutersOptions {
  dataset: DatasetSource;
  /** Routers to train on the train split and evaluate on the test split (default knn and the baselines). */
  routers?: readonly string[];
  trainSplit?: string;
  testSplit?: string;
  embedder?: EmbedderSpec;
  /** Per-router parameters, e.g. `{ knn: { k: 20 } }`. */
  params?: Record<string, Record<string, unknown>>;
  /** Seed of the split and of training (default 42). */
  seed?: number;
  /** Train share when the dataset defines no splits (default 0.7). */
  trainFraction?: number;
  includeContaminated?: boolean;
}

/**
 * Trains each router on the train split and evaluates it on the held-out test split (AIQ, share of the
 * zero-router→oracle gap recovered, cost to match the best single model). The same as `switchyard eval`.
 *
 * @example
 * const report = await evaluateRouters({ dataset: "dataset.jsonl", routers: ["knn", "best-single", "oracle"] });
 * for (const router of report.routers) console.log(router.name, router.aiq, router.gapRecovered);
 */
export async function evaluateRouters(options: EvaluateRoutersOptions): Promise<EvaluationReport> {
  const dataset = await datasetOf(options.dataset, options.includeContaminated);
  const seed = options.seed ?? 42;
  const trainSplit = options.trainSplit ?? "train";
  const testSplit = options.testSplit ?? "test";
  const splitOptions = { seed, ...(options.trainFraction === undefined ? {} : { trainFraction: options.trainFraction }) };
  return evaluate(
    await buildEvaluationInput({
      dataset: dataset.source,
      trainSplit,
      testSplit,
      train: selectSplit(dataset, trainSplit, splitOptions).examples,
      test: selectSplit(dataset, testSplit, splitOptions).examples,
      models: dataset.models,
      routers: options.routers ?? ["knn", "best-single", "cheapest", "random", "oracle"],
      seed,
      ...(options.embedder === undefined ? {} : { embedder: options.embedder }),
      ...(options.params === undefined ? {} : { params: options.params }),
    }),
  );
}
