import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "../embedders/embedder.js";
import { embedderFromState as registryEmbedderFromState } from "../embedders/create-embedder.js";
import { HashedTfidfEmbedder, type HashedTfidfOptions } from "../embedders/hashed-tfidf/index.js";
import { uint32FromBase64, uint32ToBase64 } from "../util/base64-arrays.js";
import type { SparseInput } from "./wide-mlp.js";

/** A dense embedder whose vectors are appended to the sparse n-gram features (e.g. word vectors). */
export interface DenseFeaturesOptions {
  factory: EmbedderFactory;
  /** Options passed to `factory.fit`. */
  options?: Record<string, unknown>;
  /** Length of the dense part relative to the unit-length sparse part (default 1). */
  weight?: number;
}

/** Options of {@link TextFeatures.fit}. */
export interface TextFeaturesOptions {
  /** Hashing options of the underlying hashed TF-IDF embedder (dimension, n-gram ranges). */
  hashing?: HashedTfidfOptions;
  /** Buckets seen in fewer training texts than this are dropped (keeps the classifier's input layer small). */
  minDocumentFrequency?: number;
  /** Texts longer than this are cut to their first and last `maxChars / 2` characters before featurizing. */
  maxChars?: number;
  dense?: DenseFeaturesOptions;
}

/** How a dense embedder is rebuilt from its state (defaults to the project's embedder registry). */
export type EmbedderLoader = (state: EmbedderState) => Promise<Embedder>;

const DEFAULT_HASHING: HashedTfidfOptions = { dimension: 1 << 18, charNgramMin: 3, charNgramMax: 5, wordBigrams: true, charWeight: 0.5 };
const DEFAULT_MAX_CHARS = 2000;

/**
 * Classifier input: the project's hashed word + character n-gram TF-IDF vector, with the hash buckets
 * that occur in training renumbered densely (`0 … sparseSize-1`) so a classifier's input layer has one
 * row per seen feature instead of one per bucket (buckets never seen in training carry no learned
 * weight, so dropping them changes no prediction), optionally followed by a dense embedding (word
 * vectors) at indices `sparseSize …`.
 */
export class TextFeatures {
  readonly embedder: HashedTfidfEmbedder;
  /** Kept hash buckets, ascending; feature `i` is bucket `buckets[i]`. */
  readonly buckets: Uint32Array;
  readonly dense: { embedder: Embedder; weight: number } | undefined;
  readonly maxChars: number;
  private readonly rowOfBucket: Int32Array;

  constructor(parts: { embedder: HashedTfidfEmbedder; buckets: Uint32Array; dense?: { embedder: Embedder; weight: number }; maxChars?: number }) {
    this.embedder = parts.embedder;
    this.buckets = parts.buckets;
    this.dense = parts.dense;
    this.maxChars = parts.maxChars ?? DEFAULT_MAX_CHARS;
    this.rowOfBucket = new Int32Array(parts.embedder.dimension).fill(-1);
    parts.buckets.forEach((bucket, row) => {
      this.rowOfBucket[bucket] = row;
    });
  }

  /** Number of features (the classifier's input dimension). */
  get size(): number {
    return this.buckets.length + (this.dense?.embedder.dimension ?? 0);
  }

  /** Fits IDF weights, the kept-bucket list and the dense embedder (if any) on `texts`. */
  static async fit(texts: readonly string[], options: TextFeaturesOptions = {}): Promise<TextFeatures> {
    const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
    const cut = texts.map((text) => clip(text, maxChars));
    const embedder = HashedTfidfEmbedder.fit(cut, { ...DEFAULT_HASHING, ...options.hashing });
    const minimum = options.minDocumentFrequency ?? 1;
    const frequency = new Uint32Array(embedder.dimension);
    for (const text of cut) for (const bucket of embedder.embedOneSparse(text).indices) frequency[bucket]! += 1;
    const kept: number[] = [];
    frequency.forEach((count, bucket) => {
      if (count >= minimum) kept.push(bucket);
    });
    const dense = options.dense ? { embedder: await options.dense.factory.fit(cut, options.dense.options), weight: options.dense.weight ?? 1 } : undefined;
    return new TextFeatures({ embedder, buckets: Uint32Array.from(kept), dense, maxChars });
  }

  /** The inputs of many texts (sparse part unit length, dense part of length `dense.weight`). */
  async featurize(texts: readonly string[]): Promise<SparseInput[]> {
    const cut = texts.map((text) => clip(text, this.maxChars));
    const denseVectors = this.dense ? await this.dense.embedder.embed(cut) : undefined;
    return cut.map((text, i) => this.combine(text, denseVectors?.[i]));
  }

  private combine(text: string, denseVector: Float32Array | undefined): SparseInput {
    const vector = this.embedder.embedOneSparse(text);
    const indices: number[] = [];
    const values: number[] = [];
    let norm = 0;
    for (let n = 0; n < vector.indices.length; n++) {
      const row = this.rowOfBucket[vector.indices[n]!]!;
      if (row < 0) continue;
      const value = vector.values[n]!;
      indices.push(row);
      values.push(value);
      norm += value * value;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let n = 0; n < values.length; n++) values[n]! *= scale;
    if (denseVector && this.dense) {
      const offset = this.buckets.length;
      for (let d = 0; d < denseVector.length; d++) {
        indices.push(offset + d);
        values.push(denseVector[d]! * this.dense.weight);
      }
    }
    return { indices: Uint32Array.from(indices), values: Float32Array.from(values) };
  }

  toState(): TextFeaturesState {
    return {
      kind: "hashed-tfidf-compact",
      embedder: this.embedder.toState(),
      buckets: uint32ToBase64(this.buckets),
      maxChars: this.maxChars,
      dense: this.dense ? { weight: this.dense.weight, dimension: this.dense.embedder.dimension, embedder: this.dense.embedder.toState() } : null,
    };
  }

  /** Rebuilds features from {@link TextFeatures.toState}; a dense embedder is rebuilt with `loadEmbedder`. */
  static async fromState(state: unknown, loadEmbedder: EmbedderLoader = registryEmbedderFromState): Promise<TextFeatures> {
    const parsed = textFeaturesStateSchema.safeParse(state);
    if (!parsed.success) throw new SwitchyardError("invalid_artifact", `text features state is invalid at ${parsed.error.issues[0]?.path.join(".") || "(root)"}: ${parsed.error.issues[0]?.message ?? "unknown"}`);
    const embedder = HashedTfidfEmbedder.fromState(parsed.data.embedder as EmbedderState);
    const buckets = uint32FromBase64(parsed.data.buckets);
    for (const bucket of buckets) if (bucket >= embedder.dimension) throw new SwitchyardError("invalid_artifact", `text features state keeps bucket ${bucket} outside dimension ${embedder.dimension}`);
    let dense: { embedder: Embedder; weight: number } | undefined;
    if (parsed.data.dense) {
      const denseEmbedder = await loadEmbedder(parsed.data.dense.embedder as EmbedderState);
      if (denseEmbedder.dimension !== parsed.data.dense.dimension) throw new SwitchyardError("invalid_artifact", `text features state expects a ${parsed.data.dense.dimension}-d dense embedder, got ${denseEmbedder.dimension}-d`);
      dense = { embedder: denseEmbedder, weight: parsed.data.dense.weight };
    }
    return new TextFeatures({ embedder, buckets, dense, maxChars: parsed.data.maxChars });
  }
}

/** The first and last `maxChars / 2` characters of a long text (the request is usually at one end). */
function clip(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const half = Math.floor(maxChars / 2);
  return `${text.slice(0, half)}\n${text.slice(text.length - half)}`;
}

const textFeaturesStateSchema = z.object({
  kind: z.literal("hashed-tfidf-compact"),
  embedder: z.object({ kind: z.string() }).passthrough(),
  buckets: z.string(),
  maxChars: z.number().int().positive(),
  dense: z.object({ weight: z.number().positive(), dimension: z.number().int().positive(), embedder: z.object({ kind: z.string() }).passthrough() }).nullable(),
});

/** JSON-safe state of {@link TextFeatures}. */
export type TextFeaturesState = z.infer<typeof textFeaturesStateSchema>;
