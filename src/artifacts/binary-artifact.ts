import { SwitchyardError } from "../core/errors.js";

/**
 * The binary form of a router artifact (`.bin`): the same artifact as the JSON form, with its large
 * typed arrays stored as raw bytes instead of base64 text (a quarter smaller, and no 60 MB JSON string to
 * parse). Layout, little-endian:
 *
 * ```
 * bytes 0–7    magic "SWYRTR\x00\x01" (the last byte is the binary layout's version, 1)
 * bytes 8–11   manifest length M (uint32)
 * bytes 12–19  total file length (float64: a truncated file is detected before anything is read)
 * bytes 20…    manifest: UTF-8 JSON {"artifact": …, "blobs": [{"path", "offset", "length"}, …]}
 * then         blobs, each at an 8-byte-aligned `offset` from the start of the file
 * ```
 *
 * In `artifact`, every lifted string is replaced by `{"$blob": i}`. Reading puts back exactly the base64
 * text the JSON form holds, so a binary artifact *is* its JSON artifact: `parseRouterArtifact` checks it
 * the same way and `artifactVersionOf` gives the same version for both forms (one scheme; converting
 * never changes a version). Which strings are lifted: base64 strings of at least
 * {@link MIN_BLOB_CHARS} characters that decode and re-encode to themselves.
 */
export const BINARY_ARTIFACT_MAGIC = Buffer.from([0x53, 0x57, 0x59, 0x52, 0x54, 0x52, 0x00, 0x01]);

/** Shorter strings stay in the manifest (lifting them saves nothing worth an entry). */
const MIN_BLOB_CHARS = 1_024;
const HEADER_BYTES = 20;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface BlobEntry {
  path: string;
  offset: number;
  length: number;
}

/** True when `bytes` start with the binary artifact magic. */
export function isBinaryArtifact(bytes: Uint8Array): boolean {
  return bytes.length >= BINARY_ARTIFACT_MAGIC.length && BINARY_ARTIFACT_MAGIC.equals(bytes.subarray(0, BINARY_ARTIFACT_MAGIC.length));
}

/** Encodes an artifact (any JSON value) in the binary form. */
export function encodeBinaryArtifact(artifact: unknown): Buffer {
  const blobs: Buffer[] = [];
  const entries: BlobEntry[] = [];
  const lift = (value: unknown, path: string): unknown => {
    if (typeof value === "string") {
      if (value.length < MIN_BLOB_CHARS || value.length % 4 !== 0 || !BASE64.test(value)) return value;
      const bytes = Buffer.from(value, "base64");
      if (bytes.toString("base64") !== value) return value;
      entries.push({ path, offset: 0, length: bytes.length });
      blobs.push(bytes);
      return { $blob: entries.length - 1 };
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
  // Offsets depend on the manifest's length, which depends on the offsets' digits: fix a point.
  let manifest = Buffer.alloc(0);
  for (let attempt = 0; attempt < 4; attempt++) {
    let offset = align(HEADER_BYTES + manifest.length);
    for (const entry of entries) {
      entry.offset = offset;
      offset = align(offset + entry.length);
    }
    const next = Buffer.from(JSON.stringify({ artifact: lifted, blobs: entries }), "utf8");
    if (next.length === manifest.length) break;
    manifest = next;
  }
  const total = entries.length > 0 ? entries.at(-1)!.offset + entries.at(-1)!.length : HEADER_BYTES + manifest.length;
  const file = Buffer.alloc(total);
  BINARY_ARTIFACT_MAGIC.copy(file, 0);
  file.writeUInt32LE(manifest.length, 8);
  file.writeDoubleLE(total, 12);
  manifest.copy(file, HEADER_BYTES);
  entries.forEach((entry, i) => blobs[i]!.copy(file, entry.offset));
  return file;
}

/**
 * Decodes a binary artifact back to the artifact value its JSON form holds; `source` names the file in
 * errors. A bad magic, a truncated file, a corrupt manifest or a blob outside the file is an
 * `invalid_artifact` error naming the part.
 */
export function decodeBinaryArtifact(bytes: Uint8Array, source: string): unknown {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isBinaryArtifact(buffer)) throw new SwitchyardError("invalid_artifact", `${source} is not a binary Switchyard router artifact (bad magic bytes in the header)`);
  if (buffer.length < HEADER_BYTES) throw new SwitchyardError("invalid_artifact", `${source} is truncated (${buffer.length} bytes, shorter than the 20-byte header)`);
  const declared = buffer.readDoubleLE(12);
  if (declared !== buffer.length) throw new SwitchyardError("invalid_artifact", `${source} is truncated or padded: the header says ${declared} bytes, the file has ${buffer.length}`);
  const manifestLength = buffer.readUInt32LE(8);
  if (HEADER_BYTES + manifestLength > buffer.length) throw new SwitchyardError("invalid_artifact", `${source}: the manifest (${manifestLength} bytes) runs past the end of the file`);
  let manifest: { artifact?: unknown; blobs?: unknown };
  try {
    manifest = JSON.parse(buffer.toString("utf8", HEADER_BYTES, HEADER_BYTES + manifestLength)) as typeof manifest;
  } catch (error) {
    throw new SwitchyardError("invalid_artifact", `${source}: the manifest is corrupt (not valid JSON)`, { cause: error });
  }
  if (!manifest || typeof manifest !== "object" || !Array.isArray(manifest.blobs) || manifest.artifact === undefined) throw new SwitchyardError("invalid_artifact", `${source}: the manifest has no artifact or blobs list`);
  const blobs = manifest.blobs as BlobEntry[];
  blobs.forEach((entry, i) => {
    const valid = entry && typeof entry === "object" && Number.isInteger(entry.offset) && Number.isInteger(entry.length) && entry.offset >= HEADER_BYTES + manifestLength && entry.length >= 0;
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
        return buffer.toString("base64", entry.offset, entry.offset + entry.length);
      }
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) out[key] = restore(item);
      return out;
    }
    return value;
  };
  return restore(manifest.artifact);
}

function align(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}
