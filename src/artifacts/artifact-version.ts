import { createHash } from "node:crypto";
import type { RouterArtifact } from "./router-artifact.js";

/** Hex digits of the SHA-256 kept as an artifact version (64 bits: collisions are not a concern for a team's artifacts). */
const VERSION_HEX_DIGITS = 16;

/** A version's shape (what a binary artifact's manifest may carry). */
export const ARTIFACT_VERSION_PATTERN = /^[0-9a-f]{16}$/;

/**
 * Versions already known for loaded artifact objects: a binary artifact carries its version (computed
 * from the canonical JSON when it was written, and covered by the file's checksum), so loading it does
 * not rebuild and hash 60 MB of JSON text. Artifacts are not mutated after loading.
 */
const knownVersions = new WeakMap<object, string>();

/** Records the version of a loaded artifact object (the binary reader; see {@link knownVersions}). */
export function rememberArtifactVersion(artifact: object, version: string): void {
  knownVersions.set(artifact, version);
}

/**
 * The canonical JSON text of an artifact: `JSON.stringify`, with raw array bytes (a binary artifact's
 * arrays, see `EncodedArray`) written as the base64 text the JSON form holds. It is what
 * `saveRouterArtifact` writes as JSON and what {@link artifactVersionOf} hashes.
 */
export function canonicalArtifactJson(artifact: unknown): string {
  return JSON.stringify(artifact, (_key, value: unknown) => (value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64") : value));
}

/** The version of any artifact value: the first 16 hex digits of the SHA-256 of its canonical JSON. */
export function contentVersionOf(artifact: unknown): string {
  return createHash("sha256").update(canonicalArtifactJson(artifact)).digest("hex").slice(0, VERSION_HEX_DIGITS);
}

/**
 * The content version of a router artifact: the first 16 hex digits of the SHA-256 of its canonical
 * JSON ({@link canonicalArtifactJson} of the parsed artifact, which is what `saveRouterArtifact` writes
 * as JSON). Two artifacts with the same version make the same decisions; decision logs record it so
 * that an evaluation or a retraining knows which router served each request. Both forms of one artifact
 * have the same version (a binary artifact stores it; see binary-artifact.ts). Computed once per loaded
 * artifact.
 *
 * @example
 * artifactVersionOf(await loadRouterArtifact("router.json")); // "3f1c0b9a7d2e4c11"
 */
export function artifactVersionOf(artifact: RouterArtifact): string {
  return knownVersions.get(artifact) ?? contentVersionOf(artifact);
}
