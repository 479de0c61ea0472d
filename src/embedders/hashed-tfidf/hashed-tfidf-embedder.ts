import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { encodedArraySchema, float32FromBase64, float32ToBase64 } from "../../util/base64-arrays.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "../embedder.js";
import { densify, type SparseEmbedder, type SparseVector } from "../sparse-vector.js";
import { FeatureCounts, hashFeatures, type HashingOptions } from "./feature-hashing.js";
import { basicPlaneClasses } from "../word-characters.js";

const optionsSchema = z
  .object({
    dimension: z.number().int().min(16).max(1 << 20).default(4096),
    charNgramMin: z.number().int().min(1).max(8).default(4),
    charNgramMax: z.number().int().min(0).max(8).default(5),
    wordBigrams: z.boolean().default(true),
    charWeight: z.number().positive().default(0.5),
  })
  .strict();

/** Options of the hashed TF-IDF embedder (all optional; defaults in the schema). */
export type HashedTfidfOptions = z.input<typeof optionsSchema>;

const stateSchema = z.object({
  kind: z.literal("hashed-tfidf"),
  options: optionsSchema,
  documents: z.number().int().nonnegative(),
  idf: encodedArraySchema,
});

/**
 * The default featurizer: hashed word and character n-grams (feature hashing, Weinberger et al. 2009)
 * weighted by sublinear TF × IDF fitted on the training prompts, L2-normalised. Needs no download;
 * the fitted IDF weights travel in the router artifact. Vectors are sparse (a few hundred non-zeros in
 * a few thousand buckets), so kNN uses them through an inverted index.
 */
export class HashedTfidfEmbedder implements Embedder, SparseEmbedder {
  readonly kind = "hashed-tfidf";
  readonly dimension: number;
  private readonly options: HashingOptions;
  private readonly idf: Float32Array;
  private readonly documents: number;
  /** Reused by every call (embedding is synchronous, so calls never interleave). */
  private readonly scratch: FeatureCounts;

  constructor(options: HashingOptions, idf: Float32Array, documents: number) {
    this.scratch = new FeatureCounts(options.dimension);
    // Builds the tokenizer's character table now rather than during the first embedding.
    basicPlaneClasses();
    this.options = options;
    this.dimension = options.dimension;
    this.idf = idf;
    this.documents = documents;
  }

  /** Fits IDF weights on `texts` (smoothed: ln((1 + N) / (1 + df)) + 1, as scikit-learn does). */
  static fit(texts: readonly string[], options: HashedTfidfOptions = {}): HashedTfidfEmbedder {
    const parsed = parseOptions(options);
    const documentFrequency = new Float64Array(parsed.dimension);
    const counts = new FeatureCounts(parsed.dimension);
    for (const text of texts) {
      counts.reset();
      hashFeatures(text, parsed, counts);
      for (let i = 0; i < counts.size; i++) documentFrequency[counts.touched[i]!]! += 1;
    }
    const idf = new Float32Array(parsed.dimension);
    for (let i = 0; i < idf.length; i++) idf[i] = Math.log((1 + texts.length) / (1 + documentFrequency[i]!)) + 1;
    return new HashedTfidfEmbedder(parsed, idf, texts.length);
  }

  static fromState(state: EmbedderState): HashedTfidfEmbedder {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) throw new SwitchyardError("invalid_artifact", `hashed-tfidf embedder state is invalid: ${parsed.error.issues[0]?.message ?? "unknown"}`);
    const idf = float32FromBase64(parsed.data.idf);
    const options = parseOptions(parsed.data.options);
    if (idf.length !== options.dimension) throw new SwitchyardError("invalid_artifact", `hashed-tfidf embedder state has ${idf.length} IDF weights for dimension ${options.dimension}`);
    return new HashedTfidfEmbedder(options, idf, parsed.data.documents);
  }

  /** Sparse TF-IDF vector of one text (ascending indices, unit length or empty). */
  embedOneSparse(text: string): SparseVector {
    const counts = this.scratch;
    counts.reset();
    hashFeatures(text, this.options, counts);
    const indices = new Uint32Array(counts.size);
    let n = 0;
    for (let i = 0; i < counts.size; i++) {
      const bucket = counts.touched[i]!;
      if (counts.counts[bucket] !== 0) indices[n++] = bucket;
    }
    const sorted = indices.subarray(0, n).sort();
    const values = new Float32Array(n);
    let norm = 0;
    for (let i = 0; i < n; i++) {
      const bucket = sorted[i]!;
      const count = counts.counts[bucket]!;
      const magnitude = Math.abs(count);
      const tf = magnitude > 1 ? 1 + Math.log(magnitude) : magnitude;
      const value = (count < 0 ? -tf : tf) * this.idf[bucket]!;
      values[i] = value;
      norm += value * value;
    }
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let i = 0; i < n; i++) values[i]! *= scale;
    }
    return { indices: sorted.slice(), values };
  }

  embedSparse(texts: readonly string[]): SparseVector[] {
    return texts.map((text) => this.embedOneSparse(text));
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => densify(this.embedOneSparse(text), this.dimension));
  }

  toState(): EmbedderState {
    return { kind: this.kind, options: { ...this.options }, documents: this.documents, idf: float32ToBase64(this.idf) };
  }
}

function parseOptions(options: unknown): HashingOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SwitchyardError("invalid_config", `hashed-tfidf option ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`, { param: issue?.path.join(".") });
  }
  if (parsed.data.charNgramMax > 0 && parsed.data.charNgramMax < parsed.data.charNgramMin) {
    throw new SwitchyardError("invalid_config", "hashed-tfidf option charNgramMax must be ≥ charNgramMin (or 0 to disable)", { param: "charNgramMax" });
  }
  return parsed.data;
}

/** Registry entry for the hashed TF-IDF embedder. */
export const hashedTfidfEmbedderFactory: EmbedderFactory = {
  kind: "hashed-tfidf",
  fit: async (texts, options) => HashedTfidfEmbedder.fit(texts, options as HashedTfidfOptions),
  fromState: async (state) => HashedTfidfEmbedder.fromState(state),
};
