import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseRouterArtifact, type RouterArtifact } from "../artifacts/router-artifact.js";
import { SwitchyardError } from "../core/errors.js";

/** A router artifact with the content hash that names its version in traces and reload answers. */
export interface VersionedArtifact {
  artifact: RouterArtifact;
  /** Absolute or configured path it was read from. */
  path: string;
  /** `sha256:` and the first 16 hex digits of the file's SHA-256: the same bytes always give the same version. */
  version: string;
}

/**
 * Reads a router artifact and hashes its bytes. A missing, unreadable, corrupt or foreign file is an
 * `invalid_artifact` error naming the path (the same checks as `loadRouterArtifact`).
 *
 * @example
 * const { artifact, version } = await loadVersionedArtifact("router.json"); // version "sha256:3f9a…"
 */
export async function loadVersionedArtifact(path: string): Promise<VersionedArtifact> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SwitchyardError("invalid_artifact", code === "ENOENT" ? `router artifact ${path} does not exist` : `cannot read router artifact ${path}: ${code ?? "error"}`, { cause: error });
  }
  const version = `sha256:${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}`;
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new SwitchyardError("invalid_artifact", `router artifact ${path} is corrupt (not valid JSON)`, { cause: error });
  }
  return { artifact: parseRouterArtifact(value, path), path, version };
}
