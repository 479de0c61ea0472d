/** A sparse vector: ascending `indices` with their `values`. */
export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

/** Dot product of two sparse vectors with ascending indices. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  const ai = a.indices;
  const bi = b.indices;
  while (i < ai.length && j < bi.length) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) sum += a.values[i++]! * b.values[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return sum;
}

/** The dense form of a sparse vector. */
export function densify(vector: SparseVector, dimension: number): Float32Array {
  const dense = new Float32Array(dimension);
  for (let i = 0; i < vector.indices.length; i++) dense[vector.indices[i]!] = vector.values[i]!;
  return dense;
}

/** An embedder whose vectors are naturally sparse can also hand them out as such (kNN's inverted index uses it). */
export interface SparseEmbedder {
  embedSparse(texts: readonly string[]): SparseVector[];
}

/** True when `embedder` can produce sparse vectors. */
export function isSparseEmbedder(embedder: object): embedder is SparseEmbedder {
  return typeof (embedder as Partial<SparseEmbedder>).embedSparse === "function";
}
