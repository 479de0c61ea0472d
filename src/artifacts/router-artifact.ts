import { readFile, rename, writeFile } from "node:fs/promises";
import { z } from "zod";
import type { CostModelState } from "../core/cost-model.js";
import { SwitchyardError } from "../core/errors.js";
import type { KnobCalibration } from "../core/knob-calibration.js";
import type { EmbedderState } from "../embedders/embedder.js";
import type { RouterState } from "../routers/router.js";
import { artifactVersionOf, canonicalArtifactJson, rememberArtifactVersion } from "./artifact-version.js";
import { decodeBinaryArtifact, encodeBinaryArtifact, isBinaryArtifact } from "./binary-artifact.js";

/** The `format` field every router artifact carries. */
export const ARTIFACT_FORMAT = "switchyard.router";
/** The artifact version this build writes and reads. */
export const ARTIFACT_VERSION = 1;

const artifactSchema = z.object({
  format: z.literal(ARTIFACT_FORMAT),
  version: z.number().int(),
  createdAt: z.string(),
  models: z.array(z.string()).min(1),
  router: z.looseObject({ kind: z.string() }),
  embedder: z.looseObject({ kind: z.string() }),
  costModel: z.looseObject({ kind: z.string() }),
  calibration: z.object({ willingnessToPay: z.array(z.number()).min(1), spendUsd: z.array(z.number()).min(1) }),
  training: z.looseObject({
    dataset: z.string(),
    split: z.string(),
    examples: z.number().int().nonnegative(),
    seed: z.number().int(),
    trainMs: z.number().nonnegative(),
  }),
});

/** Everything `serve`, `route` and `eval` need to rebuild a trained router, as one JSON file. */
export interface RouterArtifact {
  format: typeof ARTIFACT_FORMAT;
  version: number;
  createdAt: string;
  /** Model ids the router predicts for. */
  models: string[];
  router: RouterState;
  embedder: EmbedderState;
  costModel: CostModelState;
  calibration: KnobCalibration;
  training: { dataset: string; split: string; examples: number; seed: number; trainMs: number; [key: string]: unknown };
}

/** Parses and checks an artifact object (from JSON); `source` names it in errors. */
export function parseRouterArtifact(value: unknown, source: string): RouterArtifact {
  if (!value || typeof value !== "object" || (value as { format?: unknown }).format !== ARTIFACT_FORMAT) {
    throw new SwitchyardError("invalid_artifact", `${source} is not a Switchyard router artifact (expected "format": "${ARTIFACT_FORMAT}"); train one with \`switchyard train\``);
  }
  const version = (value as { version?: unknown }).version;
  if (version !== ARTIFACT_VERSION) {
    throw new SwitchyardError("invalid_artifact", `${source} is a version ${String(version)} artifact; this build reads version ${ARTIFACT_VERSION} — retrain it with \`switchyard train\``);
  }
  const parsed = artifactSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SwitchyardError("invalid_artifact", `${source}: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data as RouterArtifact;
}

/**
 * Parses an artifact file's bytes, JSON or binary (told apart by the binary form's magic bytes, see
 * binary-artifact.ts); a corrupt file is an `invalid_artifact` error naming `source` and the bad part.
 */
export function routerArtifactFromBytes(bytes: Uint8Array, source: string): RouterArtifact {
  if (isBinaryArtifact(bytes)) {
    const decoded = decodeBinaryArtifact(bytes, source);
    const artifact = parseRouterArtifact(decoded.value, source);
    if (decoded.version) rememberArtifactVersion(artifact, decoded.version);
    return artifact;
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch (error) {
    throw new SwitchyardError("invalid_artifact", `router artifact ${source} is corrupt (not valid JSON)`, { cause: error });
  }
  return parseRouterArtifact(value, source);
}

/** Reads a router artifact (JSON or binary); a missing, unreadable, corrupt or foreign file is an `invalid_artifact` error. */
export async function loadRouterArtifact(path: string): Promise<RouterArtifact> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SwitchyardError("invalid_artifact", code === "ENOENT" ? `router artifact ${path} does not exist; train one with \`switchyard train\`` : `cannot read router artifact ${path}: ${code ?? "error"}`, { cause: error });
  }
  return routerArtifactFromBytes(bytes, path);
}

/**
 * Writes an artifact atomically (temporary file, then rename), so a crash never leaves half a file: the
 * binary form when `path` ends in `.bin` (or `format: "binary"`), JSON otherwise. Both forms load the
 * same way and have the same `artifactVersionOf`.
 */
export async function saveRouterArtifact(path: string, artifact: RouterArtifact, options: { format?: "json" | "binary" } = {}): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  const binary = (options.format ?? (path.endsWith(".bin") ? "binary" : "json")) === "binary";
  let content: Buffer | string;
  try {
    content = binary ? encodeBinaryArtifact(artifact, { version: artifactVersionOf(artifact) }) : canonicalArtifactJson(artifact);
  } catch (error) {
    // V8's longest string is ~512 MB: a million-prompt knn's vectors do not fit in base64 text.
    if (!binary && error instanceof RangeError) throw new SwitchyardError("invalid_config", `the router is too large for the JSON artifact form (${error.message}); save it in the binary form (a path ending in .bin)`, { param: "out", cause: error });
    throw error;
  }
  await writeFile(temporary, content);
  await rename(temporary, path);
}
