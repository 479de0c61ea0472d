import type { InferenceSession, Tensor } from "onnxruntime-node";
import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { importOptional } from "../../core/optional-dependency.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "../embedder.js";
import { parseEmbedderOptions } from "../embedder-options.js";
import { l2NormalizeInPlace } from "../l2-normalize.js";
import { fileSha256 } from "./file-sha256.js";
import { readOnnxModelDirectory, type OnnxPooling } from "./onnx-model-directory.js";
import { WordPieceTokenizer, type EncodedText } from "./wordpiece-tokenizer.js";

const kind = "onnx";

const optionsSchema = z
  .object({
    /** Directory in Hugging Face layout: `tokenizer.json` + `model.onnx` or `onnx/model.onnx`. */
    modelDir: z.string().min(1),
    /** Model file relative to `modelDir` (e.g. `onnx/model_quantized.onnx`); default: found automatically. */
    modelFile: z.string().min(1).optional(),
    /** Default: `1_Pooling/config.json`, else mean. */
    pooling: z.enum(["mean", "cls"]).optional(),
    /** Tokens per text incl. special tokens; default: `sentence_bert_config.json`, `tokenizer.json` truncation, else 512. */
    maxLength: z.number().int().min(2).max(8192).optional(),
    batchSize: z.number().int().min(1).max(1024).default(32),
    /** ONNX Runtime intra-op threads (default: its own choice). */
    threads: z.number().int().min(1).max(256).optional(),
  })
  .strict();

/** Options of the ONNX embedder's `fit`. */
export type OnnxEmbedderOptions = z.input<typeof optionsSchema>;

const stateSchema = z.object({
  kind: z.literal(kind),
  version: z.literal(1),
  modelDir: z.string(),
  modelFile: z.string(),
  pooling: z.enum(["mean", "cls"]),
  maxLength: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  threads: z.number().int().positive().nullable(),
  dimension: z.number().int().positive(),
  modelSha256: z.string(),
  tokenizerSha256: z.string(),
});

type OnnxState = z.infer<typeof stateSchema>;
type OnnxRuntime = typeof import("onnxruntime-node");

const feedableInputs = ["input_ids", "attention_mask", "token_type_ids"] as const;
const tokenOutputs = ["last_hidden_state", "token_embeddings"];

/**
 * Sentence vectors from a local transformer encoder exported to ONNX (Sentence-BERT style, Reimers &
 * Gurevych 2019: mean pooling over the attention mask, or the [CLS] vector), run offline with
 * `onnxruntime-node` on the CPU and L2-normalised. Texts are batched by similar length; padding does
 * not change a text's vector. A whitespace-only text embeds to zeros.
 */
export class OnnxEmbedder implements Embedder {
  readonly kind = kind;
  readonly dimension: number;

  constructor(
    private readonly runtime: OnnxRuntime,
    private readonly session: InferenceSession,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly state: OnnxState,
  ) {
    this.dimension = state.dimension;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const encoded = texts.map((text) => this.tokenizer.encode(text, this.state.maxLength));
    const vectors: Float32Array[] = texts.map(() => new Float32Array(this.dimension));
    // Whitespace-only texts stay all zeros (the Embedder contract), as remote APIs refuse empty input.
    const order = encoded
      .map((_, index) => index)
      .filter((index) => texts[index]!.trim() !== "")
      .sort((a, b) => encoded[a]!.ids.length - encoded[b]!.ids.length || a - b);
    for (let start = 0; start < order.length; start += this.state.batchSize) {
      const batch = order.slice(start, start + this.state.batchSize);
      const pooled = await runBatch(this.runtime, this.session, batch.map((index) => encoded[index]!), this.tokenizer.padId, this.state.pooling);
      batch.forEach((index, row) => {
        const vector = pooled[row]!;
        if (vector.length !== this.dimension) throw new SwitchyardError("internal_error", `ONNX model returned ${vector.length}-d vectors, expected ${this.dimension}`);
        vectors[index] = l2NormalizeInPlace(vector);
      });
    }
    return vectors;
  }

  toState(): EmbedderState {
    return { ...this.state };
  }
}

/** Runs one padded batch and pools each row's token vectors. */
async function runBatch(runtime: OnnxRuntime, session: InferenceSession, batch: readonly EncodedText[], padId: number, pooling: OnnxPooling): Promise<Float32Array[]> {
  const length = Math.max(1, ...batch.map((item) => item.ids.length));
  const size = batch.length * length;
  const columns = { input_ids: new Array<number>(size).fill(padId), attention_mask: new Array<number>(size).fill(0), token_type_ids: new Array<number>(size).fill(0) };
  batch.forEach((item, row) => {
    for (let position = 0; position < item.ids.length; position++) {
      columns.input_ids[row * length + position] = item.ids[position]!;
      columns.attention_mask[row * length + position] = 1;
      columns.token_type_ids[row * length + position] = item.typeIds[position]!;
    }
  });
  const feeds: Record<string, Tensor> = {};
  for (const metadata of session.inputMetadata) {
    const name = metadata.name as (typeof feedableInputs)[number];
    const values = columns[name];
    const type = metadata.isTensor ? metadata.type : "int64";
    feeds[name] =
      type === "int32"
        ? new runtime.Tensor("int32", Int32Array.from(values), [batch.length, length])
        : new runtime.Tensor("int64", BigInt64Array.from(values, (value) => BigInt(value)), [batch.length, length]);
  }
  const outputName = tokenOutputs.find((name) => session.outputNames.includes(name)) ?? session.outputNames[0]!;
  const results = await session.run(feeds, [outputName]);
  const output = results[outputName] as Tensor | undefined;
  if (!output || output.type !== "float32") throw new SwitchyardError("invalid_config", `ONNX model output ${outputName} is not a float32 tensor`);
  const data = output.data as Float32Array;
  const dims = output.dims;
  if (dims.length === 2) {
    const dimension = dims[1]!;
    return batch.map((_, row) => data.slice(row * dimension, (row + 1) * dimension));
  }
  if (dims.length !== 3 || dims[0] !== batch.length || dims[1] !== length) {
    throw new SwitchyardError("invalid_config", `ONNX model output ${outputName} has shape [${dims.join(", ")}], expected [${batch.length}, ${length}, hidden]`);
  }
  const dimension = dims[2]!;
  return batch.map((item, row) => {
    const pooled = new Float64Array(dimension);
    const base = row * length * dimension;
    if (pooling === "cls") {
      for (let d = 0; d < dimension; d++) pooled[d] = data[base + d]!;
    } else {
      for (let position = 0; position < item.ids.length; position++) {
        const offset = base + position * dimension;
        for (let d = 0; d < dimension; d++) pooled[d]! += data[offset + d]!;
      }
      for (let d = 0; d < dimension; d++) pooled[d]! /= Math.max(1, item.ids.length);
    }
    return Float32Array.from(pooled);
  });
}

/** `path` (what the CLI's `--embedder onnx:DIR` sets) is accepted as another name for `modelDir`. */
function withModelDirAlias(options: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!options || !("path" in options)) return options;
  const { path, ...rest } = options;
  if ("modelDir" in rest) throw new SwitchyardError("invalid_config", "onnx embedder: give either modelDir or path, not both", { param: "path" });
  return { ...rest, modelDir: path };
}

/** Options of {@link createOnnxEmbedderFactory}. */
export interface OnnxFactoryOptions {
  /** Replaces the model directory stored in an artifact (the model moved; hashes are still checked). */
  modelDir?: string;
}

/**
 * Builds the ONNX embedder factory. `onnxruntime-node` is imported on first use only, and each model
 * file gets one inference session per factory.
 *
 * @example
 * const embedder = await onnxEmbedderFactory.fit([], { modelDir: "models/all-MiniLM-L6-v2" });
 * const [vector] = await embedder.embed(["How do I sort a list in Python?"]); // 384 numbers
 */
export function createOnnxEmbedderFactory(factoryOptions: OnnxFactoryOptions = {}): EmbedderFactory {
  const sessions = new Map<string, Promise<InferenceSession>>();
  let runtimePromise: Promise<OnnxRuntime> | undefined;

  async function open(options: z.output<typeof optionsSchema>, expected?: Pick<OnnxState, "modelSha256" | "tokenizerSha256">): Promise<OnnxEmbedder> {
    const files = readOnnxModelDirectory(options.modelDir, options.modelFile);
    const [modelSha256, tokenizerSha256] = await Promise.all([fileSha256(files.modelPath), fileSha256(files.tokenizerPath)]);
    if (expected && (expected.modelSha256 !== modelSha256 || expected.tokenizerSha256 !== tokenizerSha256)) {
      throw new SwitchyardError("invalid_artifact", `The ONNX model files in ${files.directory} differ from the ones this router was trained with (sha256 mismatch); restore them or retrain`);
    }
    const tokenizer = WordPieceTokenizer.fromFile(files.tokenizerPath);
    const requested = options.maxLength ?? files.sentenceMaxLength ?? tokenizer.configuredMaxLength ?? 512;
    const maxLength = Math.min(requested, files.maxPositionEmbeddings ?? requested);
    runtimePromise ??= importOptional(["onnxruntime-node"], "The onnx embedder", () => import("onnxruntime-node"));
    runtimePromise.catch(() => (runtimePromise = undefined));
    const runtime = await runtimePromise;
    const key = `${files.modelPath}\0${options.threads ?? 0}`;
    let sessionPromise = sessions.get(key);
    if (!sessionPromise) {
      const sessionOptions: InferenceSession.SessionOptions = { executionProviders: ["cpu"], graphOptimizationLevel: "all", logSeverityLevel: 3 };
      if (options.threads) sessionOptions.intraOpNumThreads = options.threads;
      sessionPromise = runtime.InferenceSession.create(files.modelPath, sessionOptions);
      sessions.set(key, sessionPromise);
      sessionPromise.catch(() => sessions.delete(key));
    }
    let session: InferenceSession;
    try {
      session = await sessionPromise;
    } catch (cause) {
      throw new SwitchyardError("invalid_config", `ONNX Runtime cannot load ${files.modelPath}: ${(cause as Error).message}`, { cause, param: "modelDir" });
    }
    const unknownInputs = session.inputNames.filter((name) => !(feedableInputs as readonly string[]).includes(name));
    if (unknownInputs.length > 0 || !session.inputNames.includes("input_ids")) {
      throw new SwitchyardError("invalid_config", `ONNX model ${files.modelPath} has inputs [${session.inputNames.join(", ")}]; Switchyard feeds input_ids, attention_mask and token_type_ids`);
    }
    const pooling = options.pooling ?? files.configuredPooling ?? "mean";
    const [probe] = await runBatch(runtime, session, [tokenizer.encode("", maxLength)], tokenizer.padId, pooling);
    const state: OnnxState = {
      kind,
      version: 1,
      modelDir: files.directory,
      modelFile: files.modelFile,
      pooling,
      maxLength,
      batchSize: options.batchSize,
      threads: options.threads ?? null,
      dimension: probe!.length,
      modelSha256,
      tokenizerSha256,
    };
    return new OnnxEmbedder(runtime, session, tokenizer, state);
  }

  return {
    kind,
    async fit(_texts, rawOptions) {
      return open(parseEmbedderOptions(optionsSchema, withModelDirAlias(rawOptions), { kind }));
    },
    async fromState(rawState) {
      const state = parseEmbedderOptions(stateSchema, rawState, { kind, what: "state" });
      const embedder = await open(
        {
          modelDir: factoryOptions.modelDir ?? state.modelDir,
          modelFile: state.modelFile,
          pooling: state.pooling,
          maxLength: state.maxLength,
          batchSize: state.batchSize,
          threads: state.threads ?? undefined,
        },
        state,
      );
      if (embedder.dimension !== state.dimension) throw new SwitchyardError("invalid_artifact", `ONNX model now gives ${embedder.dimension}-d vectors, the artifact expects ${state.dimension}`);
      return embedder;
    },
  };
}

/** Registry entry: `fit(texts, { modelDir })` loads a local model directory. */
export const onnxEmbedderFactory: EmbedderFactory = createOnnxEmbedderFactory();
