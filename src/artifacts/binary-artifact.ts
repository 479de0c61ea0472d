import { createHash } from "node:crypto";
import { SwitchyardError } from "../core/errors.js";
import { ARTIFACT_VERSION_PATTERN, contentVersionOf } from "./artifact-version.js";

/**
 * The binary form of a router artifact (`.bin`): the same artifact as the JSON form, with its large
 * typed arrays stored as raw bytes instead of base64 text (a quarter smaller, no 60 MB JSON string to
 * parse, and arrays read straight from the file's bytes). Layout 2, little-endian:
 *
 * ```
 * bytes 0–7    magic "SWYRTR\x00\x02" (the last byte is the binary layout's version)
 * bytes 8–11   manifest length M (uint32)
 * bytes 12–19  total file length (float64: a truncated file is detected before anything is read)
 * bytes 20–51  SHA-256 of bytes 52… (manifest and blobs): a corrupt byte anywhere is refused
 * bytes 52…    manifest: UTF-8 JSON {"version": …, "artifact": …, "blobs": [{"path", "offset", "length"}, …]}
 * then         blobs, each at an 8-byte-aligned `offset` from the start of the file
 * ```
 *
 * In `artifact`, every lifted array is replaced by `{"$blob": i}`; reading puts the blob's bytes (a
 * `Uint8Array` view of the file) in its place, which the states' decoders (`float32FromBase64` …) take
 * as they take base64 text. `version` is `artifactVersionOf` the artifact, computed from its canonical
 * JSON when the file is written: both forms of one artifact have one version (converting never changes
 * it), and loading does not rebuild the JSON text to hash it — the checksum covers the stored version.
 * Which values are lifted: raw bytes (`Uint8Array`), and base64 strings of at least
 * {@link MIN_BLOB_CHARS} characters that decode and re-encode to themselves.
 *
 * Layout 1 (magic ending in 0x01: a 20-byte header, no checksum and no stored version; blobs come back
 * as base64 text) is still read.
 */
export const BINARY_ARTIFACT_MAGIC = Buffer.from([0x53, 0x57, 0x59, 0x52, 0x54, 0x52, 0x00, 0x02]);
const LAYOUT_1_MAGIC = Buffer.from([0x53, 0x57, 0x59, 0x52, 0x54, 0x52, 0x00, 0x01]);

/** Shorter strings stay in the manifest (lifting them saves nothing worth an entry). */
const MIN_BLOB_CHARS = 1_024;
const HEADER_BYTES = 52;
const LAYOUT_1_HEADER_BYTES = 20;
const CHECKSUM_OFFSET = 20;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface BlobEntry {
  path: string;
  offset: number;
  length: number;
}

/** A decoded binary artifact: the artifact value (blobs as bytes) and its stored version (layout 2). */
export interface DecodedBinaryArtifact {
  value: unknown;
  /** `artifactVersionOf` the artifact, as written; undefined for a layout-1 file (compute it). */
  version?: string;
}

/** True when `bytes` start with a binary artifact magic (any layout this build reads). */
export function isBinaryArtifact(bytes: Uint8Array): boolean {
  if (bytes.length < BINARY_ARTIFACT_MAGIC.length) return false;
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, BINARY_ARTIFACT_MAGIC.length);
  return BINARY_ARTIFACT_MAGIC.equals(head) || LAYOUT_1_MAGIC.equals(head);
}

/**
 * Encodes an artifact (any JSON value, whose arrays may be raw bytes) in the binary form; `version`
 * defaults to the content version of its canonical JSON (what `artifactVersionOf` gives the JSON form).
 */
export function encodeBinaryArtifact(artifact: unknown, options: { version?: string } = {}): Buffer {
  const version = options.version ?? contentVersionOf(artifact);
  const blobs: Uint8Array[] = [];
  const entries: BlobEntry[] = [];
  const addBlob = (bytes: Uint8Array, path: string) => {
    entries.push({ path, offset: 0, length: bytes.length });
    blobs.push(bytes);
    return { $blob: entries.length - 1 };
  };
  const lift = (value: unknown, path: string): unknown => {
    if (value instanceof Uint8Array) return addBlob(value, path);
    if (typeof value === "string") {
      if (value.length < MIN_BLOB_CHARS || value.length % 4 !== 0 || !BASE64.test(value)) return value;
      const bytes = Buffer.from(value, "base64");
      if (bytes.toString("base64") !== value) return value;
      return addBlob(bytes, path);
    }
    if (Array.isArray(value)) return value.map((item, i) => lift(item, `${path}[${i}]`));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = lift(item, path === "" ? key : `${path}.${key}`);
      return out;
    }
    return value;
  };
  const lifted = lift(artifact, "");
  // Offsets depend on the manifest's length, which depends on the offsets' digits: iterate to a fixed
  // point, keeping the manifest that holds the offsets used.
  let manifest = Buffer.alloc(0);
  for (let attempt = 0; attempt < 8; attempt++) {
    let offset = align(HEADER_BYTES + manifest.length);
    for (const entry of entries) {
      entry.offset = offset;
      offset = align(offset + entry.length);
    }
    const next = Buffer.from(JSON.stringify({ version, artifact: lifted, blobs: entries }), "utf8");
    const settled = next.length === manifest.length;
    manifest = next;
    if (settled) break;
  }
  const total = entries.length > 0 ? entries.at(-1)!.offset + entries.at(-1)!.length : HEADER_BYTES + manifest.length;
  const file = Buffer.alloc(total);
  BINARY_ARTIFACT_MAGIC.copy(file, 0);
  file.writeUInt32LE(manifest.length, 8);
  file.writeDoubleLE(total, 12);
  manifest.copy(file, HEADER_BYTES);
  entries.forEach((entry, i) => file.set(blobs[i]!, entry.offset));
  createHash("sha256").update(file.subarray(HEADER_BYTES)).digest().copy(file, CHECKSUM_OFFSET);
  return file;
}

/**
 * Decodes a binary artifact; `source` names the file in errors. Blobs come back as `Uint8Array` views
 * of `bytes` (layout 2) or base64 text (layout 1). A bad magic, a truncated file, a checksum mismatch, a
 * corrupt manifest or a blob outside the file is an `invalid_artifact` error naming the part.
 */
export function decodeBinaryArtifact(bytes: Uint8Array, source: string): DecodedBinaryArtifact {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isBinaryArtifact(buffer)) throw new SwitchyardError("invalid_artifact", `${source} is not a binary Switchyard router artifact (bad magic bytes in the header)`);
  const layout1 = buffer[7] === 0x01;
  const headerBytes = layout1 ? LAYOUT_1_HEADER_BYTES : HEADER_BYTES;
  if (buffer.length < headerBytes) throw new SwitchyardError("invalid_artifact", `${source} is truncated (${buffer.length} bytes, shorter than the ${headerBytes}-byte header)`);
  const declared = buffer.readDoubleLE(12);
  if (declared !== buffer.length) throw new SwitchyardError("invalid_artifact", `${source} is truncated or padded: the header says ${declared} bytes, the file has ${buffer.length}`);
  if (!layout1) {
    const checksum = createHash("sha256").update(buffer.subarray(HEADER_BYTES)).digest();
    if (!checksum.equals(buffer.subarray(CHECKSUM_OFFSET, HEADER_BYTES))) throw new SwitchyardError("invalid_artifact", `${source} is corrupt: its checksum does not match its content (a changed or damaged byte)`);
  }
  const manifestLength = buffer.readUInt32LE(8);
  if (headerBytes + manifestLength > buffer.length) throw new SwitchyardError("invalid_artifact", `${source}: the manifest (${manifestLength} bytes) runs past the end of the file`);
  let manifest: { version?: unknown; artifact?: unknown; blobs?: unknown };
  try {
    manifest = JSON.parse(buffer.toString("utf8", headerBytes, headerBytes + manifestLength)) as typeof manifest;
  } catch (error) {
    throw new SwitchyardError("invalid_artifact", `${source}: the manifest is corrupt (not valid JSON)`, { cause: error });
  }
  if (!manifest || typeof manifest !== "object" || !Array.isArray(manifest.blobs) || manifest.artifact === undefined) throw new SwitchyardError("invalid_artifact", `${source}: the manifest has no artifact or blobs list`);
  if (!layout1 && (typeof manifest.version !== "string" || !ARTIFACT_VERSION_PATTERN.test(manifest.version))) throw new SwitchyardError("invalid_artifact", `${source}: the manifest has no valid version (16 hex digits)`);
  const blobs = manifest.blobs as BlobEntry[];
  blobs.forEach((entry, i) => {
    const valid = entry && typeof entry === "object" && Number.isInteger(entry.offset) && Number.isInteger(entry.length) && entry.offset >= headerBytes + manifestLength && entry.length >= 0;
    if (!valid) throw new SwitchyardError("invalid_artifact", `${source}: blob ${i} (${String(entry?.path)}) has an invalid offset or length`);
    if (entry.offset + entry.length > buffer.length) throw new SwitchyardError("invalid_artifact", `${source}: blob ${i} (${entry.path}) runs past the end of the file (truncated?)`);
  });
  const restore = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(restore);
    if (value !== null && typeof value === "object") {
      const blob = (value as { $blob?: unknown }).$blob;
      if (blob !== undefined) {
        const entry = typeof blob === "number" ? blobs[blob] : undefined;
        if (!entry) throw new SwitchyardError("invalid_artifact", `${source}: the manifest refers to blob ${String(blob)}, which it does not list`);
        return layout1 ? buffer.toString("base64", entry.offset, entry.offset + entry.length) : new Uint8Array(buffer.buffer, buffer.byteOffset + entry.offset, entry.length);
      }
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = restore(item);
      return out;
    }
    return value;
  };
  return { value: restore(manifest.artifact), version: layout1 ? undefined : (manifest.version as string) };
}

function align(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}
