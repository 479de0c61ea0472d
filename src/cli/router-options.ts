import type { EmbedderSpec } from "../training/training-set.js";
import { UsageError } from "./usage-error.js";

/**
 * Router strategies `--router` accepts, in the order the help lists them (kept equal to the registry,
 * `routerTrainers`, by a test; listed here so `--help` does not load every router).
 */
export const routerChoices = ["knn", "task-knn", "linear", "mlp", "matrix-factorization", "cluster", "ensemble", "auto", "linucb", "thompson", "eps-greedy", "random", "cheapest", "best-single", "oracle"] as const;

/** Embedder kinds `--embedder` accepts (kept equal to the registry, `embedderFactories`, by a test). */
export const embedderChoices = ["hashed-tfidf", "word-vectors", "combined", "onnx", "remote", "sentence-encoder"] as const;

/** `--router` help: every strategy. */
export const routerHelp = `routing strategy, one of: ${routerChoices.join(", ")} (linucb, thompson and eps-greedy learn online from feedback; oracle is evaluation-only: it peeks at the answers)`;

/** `--embedder` help: every kind, with the ones that take an argument or options. */
export const embedderHelp =
  "featurizer, one of: hashed-tfidf, word-vectors, combined (parts in --embedder-options), onnx:DIR (a local model directory), remote (a /v1/embeddings endpoint, in --embedder-options), sentence-encoder";

/** `--params '{"k": 20}'` → an object, or a usage error. */
export function parseParamsOption(value: string | undefined): Record<string, unknown> | undefined {
  return value === undefined ? undefined : parseJsonObjectOption("--params", value);
}

function parseJsonObjectOption(flag: string, value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new UsageError(`${flag} must be a JSON object, got ${JSON.stringify(value)}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new UsageError(`${flag} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/**
 * `--embedder kind` or `--embedder kind:argument` (e.g. `onnx:/models/all-MiniLM-L6-v2`): the argument
 * becomes the embedder's `path` option.
 */
export function parseEmbedderOption(value: string, optionsJson?: string): EmbedderSpec {
  const extra = optionsJson === undefined ? undefined : parseJsonObjectOption("--embedder-options", optionsJson);
  const colon = value.indexOf(":");
  if (colon < 0) return { kind: value, options: extra };
  const kind = value.slice(0, colon);
  const argument = value.slice(colon + 1);
  if (!kind || !argument) throw new UsageError(`--embedder must be KIND or KIND:ARGUMENT, got ${JSON.stringify(value)}`);
  return { kind, options: { ...extra, path: argument } };
}
