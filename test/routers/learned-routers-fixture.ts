import { createRandom } from "../../src/core/random.js";
import type { RoutingExample } from "../../src/data/routing-example.js";
import type { SparseVector } from "../../src/embedders/sparse-vector.js";
import type { RouteInput } from "../../src/routers/router.js";
import type { TrainingSet } from "../../src/routers/router-trainer.js";

/** Embedding width of the synthetic families (a small hashed-TF-IDF stand-in). */
export const DIMENSION = 96;
export const MODELS = ["model-a", "model-b", "model-c"] as const;
/** P(correct) per family: model-a is good on family 0, model-b on family 1, model-c middling on both. */
const ACCURACY: Record<(typeof MODELS)[number], [number, number]> = { "model-a": [0.92, 0.15], "model-b": [0.15, 0.92], "model-c": [0.6, 0.6] };
const PRICE_USD_PER_TOKEN: Record<(typeof MODELS)[number], number> = { "model-a": 1e-7, "model-b": 2e-7, "model-c": 1e-6 };

/** Options of {@link twoFamilySet}. */
export interface TwoFamilyOptions {
  count: number;
  seed: number;
  /** Give sparse embeddings too (as the hashed TF-IDF embedder does). */
  sparse?: boolean;
  /** Models to include (default all three). */
  models?: readonly string[];
  /** "linear": cost = price × (tokens + 100), exactly the engine default's form; "family": model-b answers family 1 at length 2000, else 50. */
  costs?: "linear" | "family";
  /**
   * "embedding" (default): the families differ in embedding vocabulary, the texts say nothing.
   * "text": the embeddings are drawn alike for both families; only the prompt text tells them apart
   * (family 0 is arithmetic full of numbers and operators, family 1 plain words).
   */
  signal?: "embedding" | "text";
}

/** A synthetic example together with its family. */
export interface FamilyRows {
  set: TrainingSet;
  family: number[];
}

/**
 * Two prompt families with disjoint vocabularies (features 0–39 vs 40–79) plus shared noise features
 * (80–95), L2-normalised, and 0/1 outcomes drawn with {@link ACCURACY}. The right routing is known:
 * model-a on family 0, model-b on family 1.
 */
export function twoFamilySet(options: TwoFamilyOptions): FamilyRows {
  const random = createRandom(options.seed);
  const models = options.models ?? MODELS;
  const examples: RoutingExample[] = [];
  const embeddings: Float32Array[] = [];
  const sparseEmbeddings: SparseVector[] = [];
  const promptTokens: number[] = [];
  const family: number[] = [];
  for (let i = 0; i < options.count; i++) {
    const f = i % 2;
    const vector = new Float32Array(DIMENSION);
    const textSignal = options.signal === "text";
    for (let w = 0; w < 6; w++) vector[(textSignal ? 0 : f * 40) + Math.floor(random() * (textSignal ? 80 : 40))]! += 0.5 + random();
    for (let w = 0; w < 2; w++) vector[80 + Math.floor(random() * 16)]! += random();
    let norm = 0;
    for (const value of vector) norm += value * value;
    for (let j = 0; j < DIMENSION; j++) vector[j]! /= Math.sqrt(norm);
    const indices = Uint32Array.from(Array.from(vector.keys()).filter((j) => vector[j] !== 0));
    const tokens = 20 + Math.floor(random() * 200);
    const outcomes: RoutingExample["outcomes"] = {};
    for (const model of models) {
      const known = model as (typeof MODELS)[number];
      const outputTokens = options.costs === "family" && model === "model-b" && f === 1 ? 2000 : options.costs === "family" ? 50 : 100;
      outcomes[model] = { score: random() < ACCURACY[known][f]! ? 1 : 0, costUsd: PRICE_USD_PER_TOKEN[known] * (tokens + outputTokens) };
    }
    const prompt = !textSignal
      ? `family ${f} prompt ${i}`
      : f === 0
        ? `What is ${Math.floor(random() * 900) + 100} * ${Math.floor(random() * 90) + 10} + ${Math.floor(random() * 9000)} = ?`
        : `Tell me something kind about ${["cats", "rivers", "old books", "the sea", "gardens"][i % 5]} please`;
    examples.push({ id: `synthetic-${options.seed}-${i}`, prompt, outcomes });
    embeddings.push(vector);
    sparseEmbeddings.push({ indices, values: Float32Array.from(indices, (j) => vector[j]!) });
    promptTokens.push(tokens);
    family.push(f);
  }
  const set: TrainingSet = { examples, embeddings, promptTokens, models, sparseEmbeddings: options.sparse ? sparseEmbeddings : undefined };
  return { set, family };
}

/** The route input of row `i` (sparse form included when the set has it). */
export function inputOf(set: TrainingSet, i: number): RouteInput {
  return { text: set.examples[i]!.prompt, embedding: set.embeddings[i]!, sparseEmbedding: set.sparseEmbeddings?.[i], promptTokens: set.promptTokens[i]! };
}

/**
 * Share of rows where the model predicted best between model-a and model-b is the family's right one
 * (model-a on family 0, model-b on family 1).
 */
export function familyAccuracy(predict: (input: RouteInput) => Float64Array, rows: FamilyRows, models: readonly string[] = MODELS): number {
  const a = models.indexOf("model-a");
  const b = models.indexOf("model-b");
  let right = 0;
  rows.set.examples.forEach((_, i) => {
    const quality = predict(inputOf(rows.set, i));
    const saysA = quality[a]! > quality[b]!;
    if (saysA === (rows.family[i] === 0)) right++;
  });
  return right / rows.set.examples.length;
}

/** Mean predicted quality of `model` on the rows of family `f`. */
export function meanPrediction(predict: (input: RouteInput) => Float64Array, rows: FamilyRows, model: string, f: number, models: readonly string[] = MODELS): number {
  const j = models.indexOf(model);
  let sum = 0;
  let count = 0;
  rows.set.examples.forEach((_, i) => {
    if (rows.family[i] !== f) return;
    sum += predict(inputOf(rows.set, i))[j]!;
    count++;
  });
  return sum / count;
}

/** A router's state viewed as the shape a test expects. */
export function stateOf<T>(router: { toState(): unknown }): T {
  return router.toState() as T;
}
