import { SwitchyardError } from "../core/errors.js";

/** Typed arrays ⇄ base64 strings, for compact JSON artifacts. A malformed string is an `invalid_artifact` error. */

export function float32ToBase64(array: Float32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("base64");
}

export function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (copy.byteLength % 4 !== 0) throw new SwitchyardError("invalid_artifact", "an artifact array is corrupt (base64 Float32Array length is not a multiple of 4)");
  return new Float32Array(copy.buffer);
}

export function uint32ToBase64(array: Uint32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("base64");
}

export function uint32FromBase64(text: string): Uint32Array {
  const bytes = Buffer.from(text, "base64");
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  if (copy.byteLength % 4 !== 0) throw new SwitchyardError("invalid_artifact", "an artifact array is corrupt (base64 Uint32Array length is not a multiple of 4)");
  return new Uint32Array(copy.buffer);
}
