import { SwitchyardError } from "../core/errors.js";
import { densify } from "../embedders/sparse-vector.js";
import type { RouteInput } from "../routers/router.js";

/** Format version of encoded route inputs (first byte). */
const codecVersion = 1;
const flagSparse = 1;
const flagText = 2;
const headerBytes = 16;

/**
 * Encodes what a router saw of one request compactly for the learning log: the embedding as Float32
 * bytes — sparse embeddings (hashed TF-IDF) as their indices and values only, a few hundred bytes instead
 * of the dense dimension — the prompt-token estimate, and the prompt text only when `keepText` is set
 * (`traces.storeText`: the operator agreed to keep prompts).
 *
 * Layout (little-endian): u8 version, u8 flags, u16 unused, u32 dimension, f64 promptTokens, then
 * [u32 n, u32 indices × n, f32 values × n] or [f32 × dimension], then [u32 bytes, UTF-8 text] when kept.
 */
export function encodeRouteInput(input: RouteInput, keepText: boolean): Uint8Array {
  const sparse = input.sparseEmbedding;
  const text = keepText ? Buffer.from(input.text, "utf8") : undefined;
  const vectorBytes = sparse ? 4 + sparse.indices.length * 8 : input.embedding.length * 4;
  const bytes = new Uint8Array(headerBytes + vectorBytes + (text ? 4 + text.length : 0));
  const view = new DataView(bytes.buffer);
  view.setUint8(0, codecVersion);
  view.setUint8(1, (sparse ? flagSparse : 0) | (text ? flagText : 0));
  view.setUint32(4, input.embedding.length, true);
  view.setFloat64(8, input.promptTokens, true);
  let offset = headerBytes;
  if (sparse) {
    view.setUint32(offset, sparse.indices.length, true);
    offset += 4;
    for (const index of sparse.indices) {
      view.setUint32(offset, index, true);
      offset += 4;
    }
    for (const value of sparse.values) {
      view.setFloat32(offset, value, true);
      offset += 4;
    }
  } else {
    for (const value of input.embedding) {
      view.setFloat32(offset, value, true);
      offset += 4;
    }
  }
  if (text) {
    view.setUint32(offset, text.length, true);
    bytes.set(text, offset + 4);
  }
  return bytes;
}

/** Decodes {@link encodeRouteInput}'s bytes back into a route input (text is "" when it was not kept). */
export function decodeRouteInput(bytes: Uint8Array): RouteInput {
  const corrupt = (why: string) => new SwitchyardError("invalid_artifact", `a stored learning context is corrupt (${why})`);
  if (bytes.length < headerBytes) throw corrupt("too short");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== codecVersion) throw corrupt(`unknown version ${view.getUint8(0)}`);
  const flags = view.getUint8(1);
  const dimension = view.getUint32(4, true);
  const promptTokens = view.getFloat64(8, true);
  let offset = headerBytes;
  const need = (count: number) => {
    if (offset + count > bytes.length) throw corrupt("truncated");
  };
  let embedding: Float32Array;
  let sparseEmbedding: RouteInput["sparseEmbedding"];
  if ((flags & flagSparse) !== 0) {
    need(4);
    const count = view.getUint32(offset, true);
    offset += 4;
    need(count * 8);
    const indices = new Uint32Array(count);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) indices[i] = view.getUint32(offset + i * 4, true);
    offset += count * 4;
    for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + i * 4, true);
    offset += count * 4;
    if (count > 0 && indices[count - 1]! >= dimension) throw corrupt("sparse index out of range");
    sparseEmbedding = { indices, values };
    embedding = densify(sparseEmbedding, dimension);
  } else {
    need(dimension * 4);
    embedding = new Float32Array(dimension);
    for (let i = 0; i < dimension; i++) embedding[i] = view.getFloat32(offset + i * 4, true);
    offset += dimension * 4;
  }
  let text = "";
  if ((flags & flagText) !== 0) {
    need(4);
    const length = view.getUint32(offset, true);
    need(4 + length);
    text = Buffer.from(bytes.buffer, bytes.byteOffset + offset + 4, length).toString("utf8");
  }
  return sparseEmbedding ? { text, embedding, sparseEmbedding, promptTokens } : { text, embedding, promptTokens };
}
