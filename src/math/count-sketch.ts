import type { SparseEntries, SparseRows } from "./sparse-rows.js";

/**
 * A count sketch (Charikar et al., 2002; the "hashing trick" of Weinberger et al., 2009) of an input
 * index space onto fewer buckets: index `j` adds `sign[j] × x_j` to bucket `bucket[j]`. Inner products
 * are preserved in expectation, sparsity is kept, and the map is a pure function of the seed, so a
 * router's state only needs the seed and the two dimensions. When the output is at least as wide as the
 * input the sketch is the identity.
 */
export interface CountSketch {
  inputDimension: number;
  outputDimension: number;
  /** False when the sketch is the identity (input no wider than output). */
  hashed: boolean;
  bucket: Int32Array;
  sign: Float32Array;
}

/** Builds the sketch of `inputDimension` indices onto `outputDimension` buckets for `seed`. */
export function createCountSketch(options: { inputDimension: number; outputDimension: number; seed: number }): CountSketch {
  const { inputDimension, seed } = options;
  const hashed = inputDimension > options.outputDimension;
  const outputDimension = hashed ? options.outputDimension : inputDimension;
  const bucket = new Int32Array(inputDimension);
  const sign = new Float32Array(inputDimension);
  for (let j = 0; j < inputDimension; j++) {
    if (!hashed) {
      bucket[j] = j;
      sign[j] = 1;
      continue;
    }
    const h = mixIndex(j, seed);
    bucket[j] = h % outputDimension;
    sign[j] = h & 0x80000000 ? -1 : 1;
  }
  return { inputDimension, outputDimension, hashed, bucket, sign };
}

/** Scratch space for {@link sketchEntries}, sized to the sketch's output dimension. */
export interface SketchScratch {
  accumulator: Float64Array;
  seen: Uint8Array;
}

/** Zeroed scratch space for `sketch`. */
export function createSketchScratch(sketch: CountSketch): SketchScratch {
  return { accumulator: new Float64Array(sketch.outputDimension), seen: new Uint8Array(sketch.outputDimension) };
}

/**
 * Sketches one sparse vector: writes the merged non-zeros, indices ascending, into
 * `indicesOut`/`valuesOut` (each at least as long as the input's non-zeros) and returns how many there
 * are. `scratch` is left zeroed. Indices outside the input dimension are ignored.
 */
export function sketchEntries(sketch: CountSketch, entries: SparseEntries, scratch: SketchScratch, indicesOut: Int32Array, valuesOut: Float32Array): number {
  const { accumulator, seen } = scratch;
  let count = 0;
  const n = entries.indices.length;
  for (let p = 0; p < n; p++) {
    const j = entries.indices[p]!;
    if (j >= sketch.inputDimension) continue;
    const b = sketch.bucket[j]!;
    if (seen[b] === 0) {
      seen[b] = 1;
      indicesOut[count++] = b;
    }
    accumulator[b]! += sketch.sign[j]! * entries.values[p]!;
  }
  indicesOut.subarray(0, count).sort();
  for (let i = 0; i < count; i++) {
    const b = indicesOut[i]!;
    valuesOut[i] = accumulator[b]!;
    accumulator[b] = 0;
    seen[b] = 0;
  }
  return count;
}

/** Sketches every row. */
export function sketchRows(sketch: CountSketch, rows: SparseRows): SparseRows {
  if (!sketch.hashed) return rows;
  const scratch = createSketchScratch(sketch);
  const indices = new Int32Array(rows.indices.length);
  const values = new Float32Array(rows.indices.length);
  const offsets = new Int32Array(rows.count + 1);
  let at = 0;
  for (let r = 0; r < rows.count; r++) {
    const start = rows.offsets[r]!;
    const end = rows.offsets[r + 1]!;
    const count = sketchEntries(
      sketch,
      { indices: rows.indices.subarray(start, end), values: rows.values.subarray(start, end) },
      scratch,
      indices.subarray(at),
      values.subarray(at),
    );
    at += count;
    offsets[r + 1] = at;
  }
  return { count: rows.count, dimension: sketch.outputDimension, offsets, indices: indices.slice(0, at), values: values.slice(0, at) };
}

function mixIndex(index: number, seed: number): number {
  // murmur3 finaliser over (index, seed): well spread, platform independent.
  let h = (Math.imul(index + 1, 0x9e3779b1) ^ Math.imul(seed | 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
