import { SwitchyardError } from "../core/errors.js";

/** Typed arrays ⇄ base64 strings, for compact JSON artifacts. A malformed string is an `invalid_artifact` error. */

export function float32ToBase64(array: Float32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("base64");
}

export function float32FromBase64(text: string): Float32Array {
  const bytes = ownedBytes(Buffer.from(text, "base64"));
  if (bytes.byteLength % 4 !== 0) throw new SwitchyardError("invalid_artifact", "an artifact array is corrupt (base64 Float32Array length is not a multiple of 4)");
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/**
 * The decoded bytes in memory of their own, 4-byte aligned: a large decode already has its own
 * ArrayBuffer (used as is: no second copy of a 40 MB array at load); a small one sits in Node's shared
 * pool and is copied out (so the array does not pin the pool).
 */
function ownedBytes(bytes: Buffer): Uint8Array {
  if (bytes.byteOffset === 0 && bytes.buffer.byteLength === bytes.byteLength) return bytes;
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

export function uint32ToBase64(array: Uint32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("base64");
}

export function uint32FromBase64(text: string): Uint32Array {
  const bytes = ownedBytes(Buffer.from(text, "base64"));
  if (bytes.byteLength % 4 !== 0) throw new SwitchyardError("invalid_artifact", "an artifact array is corrupt (base64 Uint32Array length is not a multiple of 4)");
  return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}
