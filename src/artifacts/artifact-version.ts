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

/** Raw bytes base64-encoded per piece: a multiple of 3 bytes, so the pieces' text is the whole array's text. */
const BASE64_PIECE_BYTES = 3 << 20;
/** Text gathered before it is handed to the hash (fewer, larger updates). */
const FLUSH_CHARS = 1 << 16;

/**
 * The version of any artifact value: the first 16 hex digits of the SHA-256 of its canonical JSON
 * ({@link canonicalArtifactJson}). The text is hashed as it is produced, never built whole: a
 * million-prompt knn holds 400 MB of vectors, whose base64 text would be near V8's longest string.
 */
export function contentVersionOf(artifact: unknown): string {
  const hash = createHash("sha256");
  let pending = "";
  const emit = (text: string) => {
    pending += text;
    if (pending.length >= FLUSH_CHARS) {
      hash.update(pending);
      pending = "";
    }
  };
  // JSON.stringify's rules: toJSON first; in objects, undefined / function / symbol members are left
  // out; in arrays they are null; raw bytes are their base64 text.
  const write = (value: unknown): void => {
    if (value instanceof Uint8Array) {
      const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
      emit('"');
      for (let start = 0; start < bytes.length; start += BASE64_PIECE_BYTES) emit(bytes.toString("base64", start, Math.min(bytes.length, start + BASE64_PIECE_BYTES)));
      emit('"');
      return;
    }
    if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") return write((value as { toJSON: () => unknown }).toJSON());
    if (Array.isArray(value)) {
      emit("[");
      value.forEach((item, i) => {
        if (i > 0) emit(",");
        if (item === undefined || typeof item === "function" || typeof item === "symbol") emit("null");
        else write(item);
      });
      emit("]");
      return;
    }
    if (value !== null && typeof value === "object") {
      emit("{");
      let first = true;
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
        emit(`${first ? "" : ","}${JSON.stringify(key)}:`);
        first = false;
        write(item);
      }
      emit("}");
      return;
    }
    emit(JSON.stringify(value) ?? "null");
  };
  write(artifact);
  hash.update(pending);
  return hash.digest("hex").slice(0, VERSION_HEX_DIGITS);
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
