import { createCountSketch, createSketchScratch, sketchEntries, sketchRows, type CountSketch, type SketchScratch } from "../../math/count-sketch.js";
import { scaledPromptFeatures, type FeatureScaling } from "../../features/prompt-feature-scaling.js";
import { PROMPT_FEATURE_NAMES } from "../../features/prompt-features.js";
import { logTokenFeature } from "../../math/log-token-feature.js";
import type { SparseEntries, SparseRows } from "../../math/sparse-rows.js";

/** How the linear router turns (embedding, prompt tokens) into its feature vector. */
export interface LinearFeatureSpec {
  inputDimension: number;
  /** Buckets of the count sketch of the embedding (the sketch is the identity when the embedding is no wider). */
  sketchDimension: number;
  sketchSeed: number;
  /** Standardisation of log(1 + promptTokens). */
  tokenMean: number;
  tokenScale: number;
  /** Standardisation of the prompt features (`promptFeaturesOf`) when they are part of φ; absent: they are not. */
  promptFeatures?: FeatureScaling;
}

/**
 * The feature map φ = [count sketch of the embedding, standardised prompt features (optional),
 * standardised log(1 + prompt tokens), 1]. The sketch keeps the non-zeros sparse and bounds the width of
 * the Gram matrix, so the closed-form solve stays small; prompt length is a cheap, strong signal of both
 * difficulty and cost, and the optional prompt features (numbers, code and maths markers, few-shot
 * blocks, …) add within-task difficulty descriptors an L2-normalised embedding does not keep; the last
 * feature is the (unpenalised) intercept.
 */
export class LinearFeatures {
  readonly spec: LinearFeatureSpec;
  readonly sketch: CountSketch;
  /** Number of features p. */
  readonly dimension: number;
  /** First index of the prompt features (their count is {@link promptFeatureCount}). */
  readonly promptFeatureIndex: number;
  readonly promptFeatureCount: number;
  readonly tokenIndex: number;
  readonly interceptIndex: number;
  private readonly scratch: SketchScratch;
  private readonly indices: Int32Array;
  private readonly values: Float32Array;

  constructor(spec: LinearFeatureSpec) {
    this.spec = spec;
    this.sketch = createCountSketch({ inputDimension: spec.inputDimension, outputDimension: spec.sketchDimension, seed: spec.sketchSeed });
    this.promptFeatureIndex = this.sketch.outputDimension;
    this.promptFeatureCount = spec.promptFeatures ? PROMPT_FEATURE_NAMES.length : 0;
    this.tokenIndex = this.promptFeatureIndex + this.promptFeatureCount;
    this.interceptIndex = this.tokenIndex + 1;
    this.dimension = this.tokenIndex + 2;
    this.scratch = createSketchScratch(this.sketch);
    this.indices = new Int32Array(spec.inputDimension + this.promptFeatureCount + 2);
    this.values = new Float32Array(spec.inputDimension + this.promptFeatureCount + 2);
  }

  /** Width of φ for a spec, without building the sketch. */
  static dimensionOf(spec: LinearFeatureSpec): number {
    return Math.min(spec.inputDimension, spec.sketchDimension) + (spec.promptFeatures ? PROMPT_FEATURE_NAMES.length : 0) + 2;
  }

  /** Standardised token feature. */
  tokenFeature(promptTokens: number): number {
    return logTokenFeature(promptTokens, { mean: this.spec.tokenMean, scale: this.spec.tokenScale });
  }

  /** Feature rows of a training set (indices ascending); `texts` are needed when φ has prompt features. */
  rowsOf(embeddings: SparseRows, promptTokens: readonly number[], texts: readonly string[] = []): SparseRows {
    const sketched = sketchRows(this.sketch, embeddings);
    const n = sketched.count;
    const offsets = new Int32Array(n + 1);
    const indices = new Int32Array(sketched.indices.length + (2 + this.promptFeatureCount) * n);
    const values = new Float32Array(indices.length);
    let at = 0;
    for (let r = 0; r < n; r++) {
      for (let q = sketched.offsets[r]!; q < sketched.offsets[r + 1]!; q++) {
        if (sketched.indices[q]! >= this.tokenIndex) continue;
        indices[at] = sketched.indices[q]!;
        values[at++] = sketched.values[q]!;
      }
      at = this.writePromptFeatures(texts[r] ?? "", indices, values, at);
      indices[at] = this.tokenIndex;
      values[at++] = this.tokenFeature(promptTokens[r] ?? 0);
      indices[at] = this.interceptIndex;
      values[at++] = 1;
      offsets[r + 1] = at;
    }
    return { count: n, dimension: this.dimension, offsets, indices: indices.slice(0, at), values: values.slice(0, at) };
  }

  /** Features of one query; the returned arrays are reused by the next call. */
  entriesOf(embedding: SparseEntries, promptTokens: number, text = ""): { indices: Int32Array; values: Float32Array; count: number } {
    let count = sketchEntries(this.sketch, embedding, this.scratch, this.indices, this.values);
    count = this.writePromptFeatures(text, this.indices, this.values, count);
    this.indices[count] = this.tokenIndex;
    this.values[count++] = this.tokenFeature(promptTokens);
    this.indices[count] = this.interceptIndex;
    this.values[count++] = 1;
    return { indices: this.indices, values: this.values, count };
  }

  private writePromptFeatures(text: string, indices: Int32Array, values: Float32Array, at: number): number {
    if (!this.spec.promptFeatures) return at;
    const scaled = scaledPromptFeatures(text, this.spec.promptFeatures);
    for (let f = 0; f < scaled.length; f++) {
      indices[at] = this.promptFeatureIndex + f;
      values[at++] = scaled[f]!;
    }
    return at;
  }
}
