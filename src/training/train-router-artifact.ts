import { ARTIFACT_FORMAT, ARTIFACT_VERSION, type RouterArtifact } from "../artifacts/router-artifact.js";
import { SwitchyardError } from "../core/errors.js";
import type { RoutingExample } from "../data/routing-example.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import { trainRouter } from "./train-router.js";
import { prepareTraining, type EmbedderSpec } from "./training-set.js";

/** Options of {@link trainRouterArtifact}. */
export interface TrainRouterArtifactOptions {
  examples: readonly RoutingExample[];
  models: readonly string[];
  router: string;
  embedder?: EmbedderSpec;
  seed?: number;
  params?: Record<string, unknown>;
  /** Where the data came from, recorded in the artifact. */
  dataset: string;
  split: string;
  /** Clock for `createdAt` (tests pass a fixed one). */
  now?: () => Date;
}

/**
 * Trains a servable router end to end (embedder, cost model, router, knob calibration) and returns the
 * artifact that `serve`, `route` and `eval` load.
 *
 * @example
 * const dataset = await loadDataset("examples/demo/routerbench-sample.jsonl");
 * const { examples } = selectSplit(dataset, "train");
 * const artifact = await trainRouterArtifact({ examples, models: dataset.models, router: "knn", dataset: dataset.source, split: "train" });
 * await saveRouterArtifact("router.json", artifact);
 */
export async function trainRouterArtifact(options: TrainRouterArtifactOptions): Promise<RouterArtifact> {
  const trainer = routerTrainerFor(options.router);
  if (!trainer.servable) throw new SwitchyardError("invalid_config", `the ${trainer.kind} router is evaluation-only and cannot be trained into an artifact`, { param: "router" });
  if (options.examples.length === 0) throw new SwitchyardError("invalid_dataset", `no training examples in split ${JSON.stringify(options.split)} of ${options.dataset}`);
  const seed = options.seed ?? 42;
  const prepared = await prepareTraining(options.examples, options.models, options.embedder);
  const trained = trainRouter(prepared, { router: options.router, seed, params: options.params });
  return {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    models: [...options.models],
    router: trained.router.toState(),
    embedder: prepared.embedder.toState(),
    costModel: prepared.costModel.toState(),
    calibration: trained.calibration,
    training: { dataset: options.dataset, split: options.split, examples: options.examples.length, seed, trainMs: Math.round(trained.trainMs), params: options.params ?? {} },
  };
}
