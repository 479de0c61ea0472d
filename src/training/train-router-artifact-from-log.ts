import { ARTIFACT_FORMAT, ARTIFACT_VERSION, type RouterArtifact } from "../artifacts/router-artifact.js";
import { SwitchyardError } from "../core/errors.js";
import { datasetError } from "../data/dataset-error.js";
import type { RoutingExample } from "../data/routing-example.js";
import type { RoutingLogEntry } from "../data/routing-log-entry.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import type { BanditFeedback } from "../routers/router-trainer.js";
import { trainRouter } from "./train-router.js";
import { prepareTraining, type EmbedderSpec } from "./training-set.js";

/** Options of {@link trainRouterArtifactFromLog}. */
export interface TrainFromLogOptions {
  entries: readonly RoutingLogEntry[];
  /** Strategy; it must implement `trainFromFeedback` (knn, linear). */
  router: string;
  embedder?: EmbedderSpec;
  seed?: number;
  params?: Record<string, unknown>;
  /** Where the log came from, recorded in the artifact and named in errors. */
  source: string;
  now?: () => Date;
}

/** The artifact, and what the caller should tell the user about rows and models left out. */
export interface TrainedFromLog {
  artifact: RouterArtifact;
  notes: string[];
}

/**
 * Trains a router artifact from a decision log with rewards (bandit feedback: one served model per
 * prompt), weighting each row by its inverse propensity where the strategy uses weights (knn: weighted
 * neighbour means per model; linear: weighted ridge per model on the rows it served). Strategies that need
 * every model's score on every prompt (matrix factorisation, cluster, mlp, ensemble, auto, …) refuse
 * with an `invalid_config` error naming the alternative. Rows without a reward are left out (noted);
 * a log without prompt text is an `invalid_dataset` error; models never served cannot be learned and
 * are left out of the artifact (noted).
 */
export async function trainRouterArtifactFromLog(options: TrainFromLogOptions): Promise<TrainedFromLog> {
  const trainer = routerTrainerFor(options.router);
  if (!trainer.trainFromFeedback) {
    throw new SwitchyardError(
      "invalid_config",
      `the ${trainer.kind} router needs every model's score on every prompt, and a decision log has only the served model's reward; train knn or linear on the log (--router knn), or label its prompts on every model with \`switchyard label\` and train ${trainer.kind} on that dataset`,
      { param: "router" },
    );
  }
  const notes: string[] = [];
  const withoutText = options.entries.filter((entry) => entry.prompt === undefined).length;
  if (withoutText > 0) throw datasetError({ file: options.source, field: "prompt" }, `${withoutText} of ${options.entries.length} rows have no prompt text (only a hash); training needs the text — record traces with traces.storeText on`);
  const rewarded = options.entries.filter((entry) => entry.reward !== undefined);
  if (rewarded.length < options.entries.length) notes.push(`left out ${options.entries.length - rewarded.length} rows without a reward`);
  if (rewarded.length < 10) throw datasetError({ file: options.source, field: "reward" }, `only ${rewarded.length} rows have a reward; training from a log needs at least 10`);
  const servedCounts = new Map<string, number>();
  for (const entry of rewarded) servedCounts.set(entry.model, (servedCounts.get(entry.model) ?? 0) + 1);
  const offered = [...new Set(options.entries.flatMap((entry) => entry.candidates.map((candidate) => candidate.model)))];
  const models = offered.filter((model) => servedCounts.has(model));
  const neverServed = offered.filter((model) => !servedCounts.has(model));
  if (neverServed.length > 0) notes.push(`left out ${neverServed.join(", ")}: never served with a reward in the log, so nothing can be learned about them`);
  if (models.length < 2) throw datasetError({ file: options.source, field: "model" }, `only ${models.join(", ") || "no model"} was served with a reward; routing needs at least two models`);
  const index = new Map(models.map((model, i) => [model, i]));
  const examples: RoutingExample[] = rewarded.map((entry) => ({ id: entry.id, prompt: entry.prompt!, outcomes: { [entry.model]: { score: entry.reward!, costUsd: entry.costUsd } } }));
  const feedback: BanditFeedback = {
    served: Int32Array.from(rewarded, (entry) => index.get(entry.model)!),
    reward: Float64Array.from(rewarded, (entry) => entry.reward!),
    inversePropensity: Float64Array.from(rewarded, (entry) => 1 / entry.propensity),
  };
  const seed = options.seed ?? 42;
  const prepared = await prepareTraining(examples, models, options.embedder);
  const trained = trainRouter(prepared, { router: options.router, seed, params: options.params, feedback });
  const artifact: RouterArtifact = {
    format: ARTIFACT_FORMAT,
    version: ARTIFACT_VERSION,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    models,
    router: trained.router.toState(),
    embedder: prepared.embedder.toState(),
    costModel: prepared.costModel.toState(),
    calibration: trained.calibration,
    training: {
      dataset: options.source,
      split: "decision-log",
      examples: examples.length,
      seed,
      trainMs: Math.round(trained.trainMs),
      params: options.params ?? {},
      feedback: { rows: examples.length, servedPerModel: Object.fromEntries(servedCounts) },
    },
  };
  return { artifact, notes };
}
