import { CostModel } from "../core/cost-model.js";
import { estimateTokens } from "../core/tokens.js";
import type { RoutingExample } from "../data/routing-example.js";
import { fitEmbedder } from "../embedders/create-embedder.js";
import type { Embedder } from "../embedders/embedder.js";
import { isSparseEmbedder } from "../embedders/sparse-vector.js";
import type { TrainingSet } from "../routers/router-trainer.js";

/** Which embedder to fit, and with what options. */
export interface EmbedderSpec {
  kind: string;
  options?: Record<string, unknown>;
}

/** The default featurizer: hashed word and character n-grams with TF-IDF weights. */
export const defaultEmbedderSpec: EmbedderSpec = { kind: "hashed-tfidf" };

/** A training split made ready for any router: fitted embedder, embeddings, cost model. */
export interface PreparedTraining {
  embedder: Embedder;
  costModel: CostModel;
  data: TrainingSet;
}

/**
 * Fits the embedder on the training prompts, embeds them once and fits the cost model, so that every
 * router trained on this split (and cross-validation inside it) shares the work.
 */
export async function prepareTraining(examples: readonly RoutingExample[], models: readonly string[], spec: EmbedderSpec = defaultEmbedderSpec): Promise<PreparedTraining> {
  const prompts = examples.map((example) => example.prompt);
  const embedder = await fitEmbedder(spec.kind, prompts, spec.options);
  const embeddings = await embedder.embed(prompts);
  const sparseEmbeddings = isSparseEmbedder(embedder) ? embedder.embedSparse(prompts) : undefined;
  const promptTokens = prompts.map(estimateTokens);
  const costModel = CostModel.fit(examples, promptTokens, models);
  const predictedCostUsd = promptTokens.map((tokens) => Float64Array.from(models, (model) => costModel.predict(model, tokens)));
  return { embedder, costModel, data: { examples, embeddings, sparseEmbeddings, promptTokens, models, predictedCostUsd } };
}

/**
 * Held-out examples (a test split, a cross-validation fold) embedded with an embedder already fitted on
 * the training split, as a training set for prediction (no predicted costs: callers price with the
 * training split's cost model).
 */
export async function embedExamples(embedder: Embedder, examples: readonly RoutingExample[], models: readonly string[]): Promise<TrainingSet> {
  const prompts = examples.map((example) => example.prompt);
  return {
    examples,
    embeddings: await embedder.embed(prompts),
    sparseEmbeddings: isSparseEmbedder(embedder) ? embedder.embedSparse(prompts) : undefined,
    promptTokens: prompts.map(estimateTokens),
    models,
  };
}

/** The rows `indices` of a training set, as a training set of its own (for calibration and cross-validation). */
export function subsetTrainingSet(data: TrainingSet, indices: readonly number[]): TrainingSet {
  return {
    examples: indices.map((i) => data.examples[i]!),
    embeddings: indices.map((i) => data.embeddings[i]!),
    sparseEmbeddings: data.sparseEmbeddings ? indices.map((i) => data.sparseEmbeddings![i]!) : undefined,
    promptTokens: indices.map((i) => data.promptTokens[i]!),
    predictedCostUsd: data.predictedCostUsd ? indices.map((i) => data.predictedCostUsd![i]!) : undefined,
    models: data.models,
  };
}
