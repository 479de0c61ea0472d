import { SwitchyardError } from "../core/errors.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "./embedder.js";
import { createCombinedEmbedderFactory } from "./combined/index.js";
import { hashedTfidfEmbedderFactory } from "./hashed-tfidf/index.js";
import { onnxEmbedderFactory } from "./onnx/index.js";
import { remoteEmbedderFactory } from "./remote/index.js";
import { sentenceEncoderEmbedderFactory } from "./sentence-encoder/index.js";
import { wordVectorsEmbedderFactory } from "./word-vectors/index.js";

const factories = new Map<string, EmbedderFactory>(
  [hashedTfidfEmbedderFactory, wordVectorsEmbedderFactory, onnxEmbedderFactory, remoteEmbedderFactory, sentenceEncoderEmbedderFactory].map((factory) => [factory.kind, factory]),
);
// `combined` rebuilds its parts through this same registry (passed in, so there is no import cycle).
factories.set("combined", createCombinedEmbedderFactory((kind) => factories.get(kind)));

/** Every embedder kind Switchyard knows, by name. Creating them does no I/O (ONNX, word vectors and the sentence encoder load on first use). */
export const embedderFactories: ReadonlyMap<string, EmbedderFactory> = factories;

/** The factory for `kind`, or an `invalid_config` error listing the known kinds. */
export function embedderFactoryFor(kind: string): EmbedderFactory {
  const factory = embedderFactories.get(kind);
  if (!factory) throw new SwitchyardError("invalid_config", `unknown embedder ${JSON.stringify(kind)} (known: ${[...embedderFactories.keys()].join(", ")})`, { param: "embedder" });
  return factory;
}

/** Fits an embedder of `kind` on the training prompts. */
export function fitEmbedder(kind: string, texts: readonly string[], options?: Record<string, unknown>): Promise<Embedder> {
  return embedderFactoryFor(kind).fit(texts, options);
}

/** Rebuilds an embedder from an artifact's state. */
export function embedderFromState(state: EmbedderState): Promise<Embedder> {
  if (!state || typeof state.kind !== "string") throw new SwitchyardError("invalid_artifact", "the artifact's embedder state has no kind");
  return embedderFactoryFor(state.kind).fromState(state);
}
