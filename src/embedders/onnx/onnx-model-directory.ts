import { existsSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { SwitchyardError } from "../../core/errors.js";

/** How token vectors become one sentence vector. */
export type OnnxPooling = "mean" | "cls";

/** The files of a local sentence-embedding model in Hugging Face layout, and what they say. */
export interface OnnxModelDirectory {
  directory: string;
  tokenizerPath: string;
  modelPath: string;
  /** `modelPath` relative to `directory` (what the state stores). */
  modelFile: string;
  /** Pooling from `1_Pooling/config.json` (sentence-transformers), if present. */
  configuredPooling: OnnxPooling | undefined;
  /** `max_seq_length` of `sentence_bert_config.json`, if present. */
  sentenceMaxLength: number | undefined;
  /** `max_position_embeddings` of `config.json`, if present. */
  maxPositionEmbeddings: number | undefined;
}

const modelCandidates = ["model.onnx", join("onnx", "model.onnx")];

function howToSupply(directory: string): string {
  return (
    `download a sentence-embedding model in Hugging Face layout, e.g. sentence-transformers/all-MiniLM-L6-v2's tokenizer.json and onnx/model.onnx ` +
    `(or BAAI/bge-small-en-v1.5's) into ${directory} and pass --embedder onnx:${directory} (see docs/embedders.md)`
  );
}

/**
 * Finds `tokenizer.json` and `model.onnx` (or `onnx/model.onnx`, or `modelFile`) in `directory` and
 * reads the optional `config.json`, `sentence_bert_config.json` and `1_Pooling/config.json`. A missing
 * directory or file is an `invalid_config` error that says what is missing and how to supply it.
 */
export function readOnnxModelDirectory(directoryOption: string, modelFile?: string): OnnxModelDirectory {
  const directory = resolve(directoryOption);
  if (!existsSync(directory) || !statSync(directory).isDirectory()) {
    throw new SwitchyardError("invalid_config", `The ONNX model directory ${directory} does not exist; ${howToSupply(directory)}`, { param: "modelDir" });
  }
  const tokenizerPath = join(directory, "tokenizer.json");
  const candidates = modelFile ? [modelFile] : modelCandidates;
  const foundModel = candidates.find((candidate) => existsSync(isAbsolute(candidate) ? candidate : join(directory, candidate)));
  const missing = [existsSync(tokenizerPath) ? undefined : "tokenizer.json", foundModel ? undefined : candidates.join(" or ")].filter(Boolean);
  if (missing.length > 0) {
    throw new SwitchyardError("invalid_config", `The ONNX model directory ${directory} has no ${missing.join(" and no ")}; ${howToSupply(directory)}`, { param: "modelDir" });
  }
  const modelPath = isAbsolute(foundModel!) ? foundModel! : join(directory, foundModel!);
  const config = readOptionalJson(join(directory, "config.json"));
  const sentenceConfig = readOptionalJson(join(directory, "sentence_bert_config.json"));
  const poolingConfig = readOptionalJson(join(directory, "1_Pooling", "config.json"));
  return {
    directory,
    tokenizerPath,
    modelPath,
    modelFile: foundModel!,
    configuredPooling: poolingOf(poolingConfig, join(directory, "1_Pooling", "config.json")),
    sentenceMaxLength: positiveInteger(sentenceConfig?.max_seq_length),
    maxPositionEmbeddings: positiveInteger(config?.max_position_embeddings),
  };
}

function readOptionalJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, "utf8")) as unknown;
    return value && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch (cause) {
    throw new SwitchyardError("invalid_config", `${path} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

function poolingOf(config: Record<string, unknown> | undefined, path: string): OnnxPooling | undefined {
  if (!config) return undefined;
  if (config.pooling_mode_cls_token === true) return "cls";
  if (config.pooling_mode_mean_tokens === true) return "mean";
  const modes = Object.entries(config).filter(([key, value]) => key.startsWith("pooling_mode_") && value === true).map(([key]) => key);
  throw new SwitchyardError("invalid_config", `${path} asks for ${modes.join(", ") || "no pooling mode"}; Switchyard supports mean and CLS pooling (set the embedder option pooling to override)`, { param: "pooling" });
}
