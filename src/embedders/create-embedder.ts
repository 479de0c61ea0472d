import { SwitchyardError } from "../core/errors.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "./embedder.js";
import { hashedTfidfEmbedderFactory } from "./hashed-tfidf/index.js";

/** Every embedder kind Switchyard knows, by name. */
export const embedderFactories: ReadonlyMap<string, EmbedderFactory> = new Map([hashedTfidfEmbedderFactory].map((factory) => [factory.kind, factory]));

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
