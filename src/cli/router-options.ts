import type { EmbedderSpec } from "../training/training-set.js";
import { UsageError } from "./usage-error.js";

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
