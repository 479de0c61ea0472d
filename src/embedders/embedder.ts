/** JSON-safe state of a fitted embedder, stored in router artifacts. */
export interface EmbedderState {
  kind: string;
  [key: string]: unknown;
}

/**
 * Turns texts into L2-normalised vectors. Every featurizer (hashed TF-IDF n-grams, word vectors,
 * local ONNX models, remote `/v1/embeddings`) implements this one interface.
 */
export interface Embedder {
  /** Registry name of the implementation, e.g. `hashed-tfidf`. */
  readonly kind: string;
  /** Length of every vector this embedder returns. */
  readonly dimension: number;
  /** Embeds a batch of texts; vectors are L2-normalised (or all zeros for empty text). */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  /** State to store in an artifact so the same embedder can be rebuilt without refitting. */
  toState(): EmbedderState;
}

/** Builds one kind of embedder: fitted on training texts, or back from an artifact's state. */
export interface EmbedderFactory {
  readonly kind: string;
  /** Fits whatever the embedder learns from the training prompts (IDF weights, …). */
  fit(texts: readonly string[], options?: Record<string, unknown>): Promise<Embedder>;
  fromState(state: EmbedderState): Promise<Embedder>;
}
