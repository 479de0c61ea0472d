import type { SparseVector } from "../../embedders/sparse-vector.js";

/** Cosine similarity of a query to every training prompt (vectors are unit length, so a dot product). */
export interface SimilarityIndex {
  readonly size: number;
  /** Writes the similarity of the query to each training prompt into `out` (length `size`). */
  similarities(query: { embedding: Float32Array; sparseEmbedding?: SparseVector }, out: Float32Array): void;
}

/** Inverted index over sparse training vectors: cost grows with the query's non-zeros, not the dimension. */
export class SparseSimilarityIndex implements SimilarityIndex {
  readonly size: number;
  private readonly postingStart: Uint32Array;
  private readonly postingDocument: Uint32Array;
  private readonly postingValue: Float32Array;

  constructor(vectors: readonly SparseVector[], dimension: number) {
    this.size = vectors.length;
    const counts = new Uint32Array(dimension + 1);
    for (const vector of vectors) for (const index of vector.indices) counts[index + 1]!++;
    for (let i = 1; i <= dimension; i++) counts[i]! += counts[i - 1]!;
    this.postingStart = counts.slice();
    const cursor = counts.slice(0, dimension);
    const total = counts[dimension]!;
    this.postingDocument = new Uint32Array(total);
    this.postingValue = new Float32Array(total);
    vectors.forEach((vector, document) => {
      for (let j = 0; j < vector.indices.length; j++) {
        const slot = cursor[vector.indices[j]!]!++;
        this.postingDocument[slot] = document;
        this.postingValue[slot] = vector.values[j]!;
      }
    });
  }

  similarities(query: { embedding: Float32Array; sparseEmbedding?: SparseVector }, out: Float32Array): void {
    out.fill(0);
    const sparse = query.sparseEmbedding ?? toSparse(query.embedding);
    const { postingStart, postingDocument, postingValue } = this;
    for (let j = 0; j < sparse.indices.length; j++) {
      const term = sparse.indices[j]!;
      if (term + 1 >= postingStart.length) continue;
      const weight = sparse.values[j]!;
      const end = postingStart[term + 1]!;
      for (let p = postingStart[term]!; p < end; p++) out[postingDocument[p]!]! += weight * postingValue[p]!;
    }
  }
}

/** Brute-force index over dense vectors (word vectors, ONNX sentence embeddings: a few hundred dimensions). */
export class DenseSimilarityIndex implements SimilarityIndex {
  readonly size: number;
  private readonly matrix: Float32Array;
  private readonly dimension: number;

  constructor(vectors: readonly Float32Array[], dimension: number) {
    this.size = vectors.length;
    this.dimension = dimension;
    this.matrix = new Float32Array(vectors.length * dimension);
    vectors.forEach((vector, i) => this.matrix.set(vector.subarray(0, dimension), i * dimension));
  }

  similarities(query: { embedding: Float32Array }, out: Float32Array): void {
    const { matrix, dimension } = this;
    const q = query.embedding;
    for (let i = 0, offset = 0; i < this.size; i++, offset += dimension) {
      let sum = 0;
      for (let d = 0; d < dimension; d++) sum += matrix[offset + d]! * q[d]!;
      out[i] = sum;
    }
  }
}

function toSparse(dense: Float32Array): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < dense.length; i++) {
    if (dense[i] !== 0) {
      indices.push(i);
      values.push(dense[i]!);
    }
  }
  return { indices: Uint32Array.from(indices), values: Float32Array.from(values) };
}
