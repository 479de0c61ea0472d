import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";

/**
 * Typed arrays ⇄ their artifact encoding. In a JSON artifact an array is base64 text; a binary artifact
 * (src/artifacts/binary-artifact.ts) hands the raw bytes over instead, so a large array is read without
 * a base64 round trip. Both are an {@link EncodedArray}; a malformed one is an `invalid_artifact` error.
 */
export type EncodedArray = string | Uint8Array;

/** Zod schema of an {@link EncodedArray} field in a router or embedder state. */
export const encodedArraySchema = z.union([z.string(), z.instanceof(Uint8Array)]);

/** Options of the decoders. */
export interface DecodeArrayOptions {
  /**
   * The caller copies the values elsewhere and drops the array soon (e.g. into an index's own layout):
   * raw bytes are viewed in place instead of copied out of the file they came from.
   */
  transient?: boolean;
}

/**
 * Arrays from this size on stay raw bytes in a router state instead of base64 text: a million-prompt
 * knn's 400 MB of vectors would be a 533 MB string, at V8's longest (such a router is saved in the
 * binary form; the JSON form cannot hold it).
 */
export const RAW_ARRAY_MIN_BYTES = 64 << 20;

/** The state encoding of an array: base64 text, or its raw bytes from {@link RAW_ARRAY_MIN_BYTES} on. */
export function encodeArray(array: Float32Array | Uint32Array | Int32Array): EncodedArray {
  const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return array.byteLength >= RAW_ARRAY_MIN_BYTES ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

export function float32ToBase64(array: Float32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("base64");
}

export function float32FromBase64(encoded: EncodedArray, options: DecodeArrayOptions = {}): Float32Array {
  const bytes = decodedBytes(encoded, options);
  if (bytes.byteLength % 4 !== 0) throw new SwitchyardError("invalid_artifact", "an artifact array is corrupt (Float32Array length is not a multiple of 4)");
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

export function uint32ToBase64(array: Uint32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("base64");
}

export function uint32FromBase64(encoded: EncodedArray, options: DecodeArrayOptions = {}): Uint32Array {
  const bytes = decodedBytes(encoded, options);
  if (bytes.byteLength % 4 !== 0) throw new SwitchyardError("invalid_artifact", "an artifact array is corrupt (Uint32Array length is not a multiple of 4)");
  return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** The base64 text of an encoded array (what the JSON form stores). */
export function encodedArrayToBase64(encoded: EncodedArray): string {
  return typeof encoded === "string" ? encoded : Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength).toString("base64");
}

/**
 * The bytes in memory of their own, 4-byte aligned: a large base64 decode already has its own
 * ArrayBuffer (used as is: no second copy of a 40 MB array at load); a small one sits in Node's shared
 * pool and is copied out (so the array does not pin the pool). Raw bytes from a binary artifact are a
 * view into the file's buffer: copied out (so a kept array does not pin the whole file), unless the
 * caller's use is `transient` and they are 4-byte aligned.
 */
function decodedBytes(encoded: EncodedArray, options: DecodeArrayOptions): Uint8Array {
  const bytes = typeof encoded === "string" ? Buffer.from(encoded, "base64") : encoded;
  const owned = bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength;
  if (owned || (options.transient && typeof encoded !== "string" && bytes.byteOffset % 4 === 0)) return bytes;
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}
