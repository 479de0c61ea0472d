import { createCountSketch, createSketchScratch, sketchEntries, sketchRows, type CountSketch, type SketchScratch } from "../../math/count-sketch.js";
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
}

/**
 * The feature map φ = [count sketch of the embedding, standardised log(1 + prompt tokens), 1]. The sketch
 * keeps the non-zeros sparse and bounds the width of the Gram matrix, so the closed-form solve stays
 * small; prompt length is a cheap, strong signal of both difficulty and cost; the last feature is the
 * (unpenalised) intercept.
 */
export class LinearFeatures {
  readonly spec: LinearFeatureSpec;
  readonly sketch: CountSketch;
  /** Number of features p. */
  readonly dimension: number;
  readonly tokenIndex: number;
  readonly interceptIndex: number;
  private readonly scratch: SketchScratch;
  private readonly indices: Int32Array;
  private readonly values: Float32Array;

  constructor(spec: LinearFeatureSpec) {
    this.spec = spec;
    this.sketch = createCountSketch({ inputDimension: spec.inputDimension, outputDimension: spec.sketchDimension, seed: spec.sketchSeed });
    this.tokenIndex = this.sketch.outputDimension;
    this.interceptIndex = this.sketch.outputDimension + 1;
    this.dimension = this.sketch.outputDimension + 2;
    this.scratch = createSketchScratch(this.sketch);
    this.indices = new Int32Array(spec.inputDimension + 2);
    this.values = new Float32Array(spec.inputDimension + 2);
  }

  /** Standardised token feature. */
  tokenFeature(promptTokens: number): number {
    return logTokenFeature(promptTokens, { mean: this.spec.tokenMean, scale: this.spec.tokenScale });
  }

  /** Feature rows of a training set (indices ascending). */
  rowsOf(embeddings: SparseRows, promptTokens: readonly number[]): SparseRows {
    const sketched = sketchRows(this.sketch, embeddings);
    const n = sketched.count;
    const offsets = new Int32Array(n + 1);
    const indices = new Int32Array(sketched.indices.length + 2 * n);
    const values = new Float32Array(indices.length);
    let at = 0;
    for (let r = 0; r < n; r++) {
      for (let q = sketched.offsets[r]!; q < sketched.offsets[r + 1]!; q++) {
        if (sketched.indices[q]! >= this.tokenIndex) continue;
        indices[at] = sketched.indices[q]!;
        values[at++] = sketched.values[q]!;
      }
      indices[at] = this.tokenIndex;
      values[at++] = this.tokenFeature(promptTokens[r] ?? 0);
      indices[at] = this.interceptIndex;
      values[at++] = 1;
      offsets[r + 1] = at;
    }
    return { count: n, dimension: this.dimension, offsets, indices: indices.slice(0, at), values: values.slice(0, at) };
  }

  /** Features of one query; the returned arrays are reused by the next call. */
  entriesOf(embedding: SparseEntries, promptTokens: number): { indices: Int32Array; values: Float32Array; count: number } {
    let count = sketchEntries(this.sketch, embedding, this.scratch, this.indices, this.values);
    this.indices[count] = this.tokenIndex;
    this.values[count++] = this.tokenFeature(promptTokens);
    this.indices[count] = this.interceptIndex;
    this.values[count++] = 1;
    return { indices: this.indices, values: this.values, count };
  }
}
