import type { SparseVector } from "../embedders/sparse-vector.js";

/**
 * Many sparse rows in compressed-sparse-row form: row `r` holds `indices[offsets[r] … offsets[r + 1])` and
 * the matching `values`. Learned routers keep their training embeddings like this so every pass costs
 * the number of non-zeros, not rows × dimension (hashed TF-IDF vectors have a few hundred non-zeros in
 * a few thousand buckets).
 */
export interface SparseRows {
  count: number;
  dimension: number;
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** The non-zeros of one vector: parallel `indices` and `values`. */
export interface SparseEntries {
  indices: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Where embeddings come from: dense vectors, and their sparse form when the embedder gives one. */
export interface EmbeddingSource {
  embeddings: readonly Float32Array[];
  sparseEmbeddings?: readonly SparseVector[];
}

/**
 * Packs embeddings into {@link SparseRows}, using the sparse form when present and otherwise dropping the
 * zeros of the dense vectors. `dimension` defaults to the first dense vector's length.
 */
export function sparseRowsOf(source: EmbeddingSource, dimension = source.embeddings[0]?.length ?? 0): SparseRows {
  const count = source.embeddings.length;
  const sparse = source.sparseEmbeddings && source.sparseEmbeddings.length === count ? source.sparseEmbeddings : undefined;
  const offsets = new Int32Array(count + 1);
  for (let r = 0; r < count; r++) {
    const entries = sparse ? sparse[r]!.indices.length : countNonZeros(source.embeddings[r]!);
    offsets[r + 1] = offsets[r]! + entries;
  }
  const indices = new Int32Array(offsets[count]!);
  const values = new Float32Array(offsets[count]!);
  for (let r = 0; r < count; r++) {
    let at = offsets[r]!;
    if (sparse) {
      indices.set(sparse[r]!.indices, at);
      values.set(sparse[r]!.values, at);
      continue;
    }
    const vector = source.embeddings[r]!;
    for (let j = 0; j < vector.length; j++) {
      const value = vector[j]!;
      if (value !== 0) {
        indices[at] = j;
        values[at++] = value;
      }
    }
  }
  return { count, dimension, offsets, indices, values };
}

/** The non-zeros of one query: its sparse form when given, else the dense vector's non-zero entries. */
export function sparseEntriesOf(embedding: Float32Array, sparse?: SparseVector): SparseEntries {
  if (sparse) return sparse;
  const n = countNonZeros(embedding);
  const indices = new Int32Array(n);
  const values = new Float32Array(n);
  let at = 0;
  for (let j = 0; j < embedding.length; j++) {
    const value = embedding[j]!;
    if (value !== 0) {
      indices[at] = j;
      values[at++] = value;
    }
  }
  return { indices, values };
}

/** The rows of `rows` listed in `selection`, in that order (for train/validation splits). */
export function selectRows(rows: SparseRows, selection: ArrayLike<number>): SparseRows {
  const offsets = new Int32Array(selection.length + 1);
  for (let s = 0; s < selection.length; s++) {
    const r = selection[s]!;
    offsets[s + 1] = offsets[s]! + rows.offsets[r + 1]! - rows.offsets[r]!;
  }
  const indices = new Int32Array(offsets[selection.length]!);
  const values = new Float32Array(offsets[selection.length]!);
  for (let s = 0; s < selection.length; s++) {
    const r = selection[s]!;
    indices.set(rows.indices.subarray(rows.offsets[r]!, rows.offsets[r + 1]!), offsets[s]!);
    values.set(rows.values.subarray(rows.offsets[r]!, rows.offsets[r + 1]!), offsets[s]!);
  }
  return { count: selection.length, dimension: rows.dimension, offsets, indices, values };
}

/** Squared Euclidean norm of every row. */
export function rowSquaredNorms(rows: SparseRows): Float64Array {
  const norms = new Float64Array(rows.count);
  for (let r = 0; r < rows.count; r++) {
    let sum = 0;
    for (let p = rows.offsets[r]!; p < rows.offsets[r + 1]!; p++) sum += rows.values[p]! * rows.values[p]!;
    norms[r] = sum;
  }
  return norms;
}

function countNonZeros(vector: Float32Array): number {
  let n = 0;
  for (let j = 0; j < vector.length; j++) if (vector[j] !== 0) n++;
  return n;
}

/** `rows` with one more feature, index `rows.dimension`, holding `extra[r]` in row r. */
export function withExtraFeature(rows: SparseRows, extra: ArrayLike<number>): SparseRows {
  const n = rows.count;
  const offsets = new Int32Array(n + 1);
  const indices = new Int32Array(rows.indices.length + n);
  const values = new Float32Array(indices.length);
  for (let r = 0; r < n; r++) {
    const start = rows.offsets[r]!;
    const end = rows.offsets[r + 1]!;
    const at = start + r;
    indices.set(rows.indices.subarray(start, end), at);
    values.set(rows.values.subarray(start, end), at);
    indices[at + end - start] = rows.dimension;
    values[at + end - start] = extra[r]!;
    offsets[r + 1] = end + r + 1;
  }
  return { count: n, dimension: rows.dimension + 1, offsets, indices, values };
}
