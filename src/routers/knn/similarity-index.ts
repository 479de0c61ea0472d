import type { SparseVector } from "../../embedders/sparse-vector.js";

/** Cosine similarity of a query to every training prompt (vectors are unit length, so a dot product). */
export interface SimilarityIndex {
  readonly size: number;
  /** Writes the similarity of the query to each training prompt into `out` (length `size`). */
  similarities(query: { embedding: Float32Array; sparseEmbedding?: SparseVector }, out: Float32Array): void;
  /** True when `other` is the same kind of index over bit-identical training vectors (it computes the same similarities). */
  sameVectors(other: SimilarityIndex): boolean;
}

/** Bit-for-bit equality of two typed arrays. */
function sameBits(a: Float32Array | Uint32Array, b: Float32Array | Uint32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
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

  sameVectors(other: SimilarityIndex): boolean {
    if (other === this) return true;
    if (!(other instanceof SparseSimilarityIndex) || other.size !== this.size) return false;
    return sameBits(this.postingStart, other.postingStart) && sameBits(this.postingDocument, other.postingDocument) && sameBits(this.postingValue, other.postingValue);
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

/**
 * Cost of one posting (load the row number and value, add into a scattered sum) relative to one
 * multiply-add of the dense scan; measured ≈ 3–5 on Node 20 (x86-64), so 4.
 */
const POSTING_COST = 4;
/** The hybrid layout is used only when its expected cost is below this share of the dense scan's. */
const HYBRID_MAX_COST_SHARE = 0.5;

/**
 * The contiguous block of columns worth scanning densely: a column of density ρ (share of training
 * vectors with a non-zero there) costs about `POSTING_COST · ρ²` per training vector in an inverted
 * index (a query uses it with probability ρ, and its posting list has ρ·n entries) and 1 in the block,
 * so the best block is the maximum-sum run of `POSTING_COST · ρ² − 1` (Kadane's algorithm). Returns
 * the block and the expected cost per training vector of scanning with it.
 */
export function chooseDenseBlock(columnCounts: Uint32Array, count: number): { start: number; end: number; cost: number } {
  const density = (d: number): number => (count > 0 ? columnCounts[d]! / count : 0);
  let best = { start: 0, end: 0, gain: 0 };
  let runStart = 0;
  let run = 0;
  for (let d = 0; d < columnCounts.length; d++) {
    if (run <= 0) {
      run = 0;
      runStart = d;
    }
    run += POSTING_COST * density(d) ** 2 - 1;
    if (run > best.gain) best = { start: runStart, end: d + 1, gain: run };
  }
  let postings = 0;
  for (let d = 0; d < columnCounts.length; d++) if (d < best.start || d >= best.end) postings += POSTING_COST * density(d) ** 2;
  return { start: best.start, end: best.end, cost: postings + (best.end - best.start) };
}

/**
 * Exact brute-force index over dense vectors (word vectors, ONNX sentence embeddings, and `combined`
 * vectors that concatenate a sparse part with a dense one).
 *
 * The similarity of the query to training vector i is `Σ_d x[i,d] · q[d]`, summed in float64 in
 * ascending `d` and rounded to float32 once. Two layouts compute exactly that sum (bit for bit):
 * - **dense**: one contiguous `Float32Array` (row-major), scanned in one pass four rows at a time (four
 *   independent sums, so the CPU overlaps them; each row's sum keeps its order);
 * - **hybrid**, chosen when the columns outside a contiguous block of densely used columns are mostly
 *   zeros (`combined` = hashed TF-IDF n-grams + 100-d word vectors; see {@link chooseDenseBlock}):
 *   those columns go to an inverted index (posting lists per column) and only the block is scanned
 *   densely. Columns before the block are
 *   added first, then the block, then the columns after it, so each sum still runs in ascending `d`, and
 *   adding the skipped zero products would not have changed it.
 */
export class DenseSimilarityIndex implements SimilarityIndex {
  readonly size: number;
  /** `dense` or `hybrid` (see the class comment). */
  readonly layout: "dense" | "hybrid";
  private readonly dimension: number;
  /** Columns `[blockStart, blockEnd)` are stored densely, row-major, in `block`. */
  private readonly blockStart: number;
  private readonly blockEnd: number;
  private readonly block: Float32Array;
  /** Inverted index over the other columns (hybrid layout only). */
  private readonly postingStart: Uint32Array;
  private readonly postingDocument: Uint32Array;
  private readonly postingValue: Float32Array;
  private readonly sums: Float64Array;
  private readonly queryTerms: Uint32Array;

  constructor(vectors: readonly Float32Array[], dimension: number) {
    this.size = vectors.length;
    this.dimension = dimension;
    const columnCounts = new Uint32Array(dimension);
    for (const vector of vectors) for (let d = 0; d < dimension; d++) if (vector[d]) columnCounts[d]!++;
    const chosen = chooseDenseBlock(columnCounts, vectors.length);
    const hybrid = vectors.length > 0 && chosen.end - chosen.start < dimension && chosen.cost < HYBRID_MAX_COST_SHARE * dimension;
    const blockStart = hybrid ? chosen.start : 0;
    const blockEnd = hybrid ? chosen.end : dimension;
    this.layout = hybrid ? "hybrid" : "dense";
    this.blockStart = blockStart;
    this.blockEnd = blockEnd;
    const width = blockEnd - blockStart;
    this.block = new Float32Array(vectors.length * width);
    vectors.forEach((vector, i) => this.block.set(vector.subarray(blockStart, blockEnd), i * width));
    // Postings of the columns outside the block (empty in the dense layout).
    const starts = new Uint32Array(dimension + 1);
    if (hybrid) for (let d = 0; d < dimension; d++) starts[d + 1] = starts[d]! + (d < blockStart || d >= blockEnd ? columnCounts[d]! : 0);
    else starts.fill(0);
    this.postingStart = starts;
    this.postingDocument = new Uint32Array(starts[dimension]!);
    this.postingValue = new Float32Array(starts[dimension]!);
    if (hybrid) {
      const cursor = starts.slice(0, dimension);
      vectors.forEach((vector, document) => {
        for (let d = 0; d < dimension; d++) {
          if ((d >= blockStart && d < blockEnd) || !vector[d]) continue;
          const slot = cursor[d]!++;
          this.postingDocument[slot] = document;
          this.postingValue[slot] = vector[d]!;
        }
      });
    }
    this.sums = new Float64Array(hybrid ? vectors.length : 0);
    this.queryTerms = new Uint32Array(hybrid ? dimension : 0);
  }

  sameVectors(other: SimilarityIndex): boolean {
    if (other === this) return true;
    if (!(other instanceof DenseSimilarityIndex) || other.size !== this.size || other.dimension !== this.dimension || other.layout !== this.layout) return false;
    if (other.blockStart !== this.blockStart || other.blockEnd !== this.blockEnd) return false;
    return sameBits(this.block, other.block) && sameBits(this.postingStart, other.postingStart) && sameBits(this.postingDocument, other.postingDocument) && sameBits(this.postingValue, other.postingValue);
  }

  similarities(query: { embedding: Float32Array }, out: Float32Array): void {
    const q = query.embedding;
    if (this.layout === "dense") {
      denseDots(this.block, q, this.size, this.dimension, 0, undefined, out);
      return;
    }
    const { sums, queryTerms, blockStart, blockEnd, dimension } = this;
    let termCount = 0;
    for (let d = 0; d < dimension; d++) if ((d < blockStart || d >= blockEnd) && q[d]) queryTerms[termCount++] = d;
    sums.fill(0);
    let next = 0;
    for (; next < termCount && queryTerms[next]! < blockStart; next++) this.addPostings(queryTerms[next]!, q);
    denseDots(this.block, q, this.size, blockEnd - blockStart, blockStart, sums, sums);
    for (; next < termCount; next++) this.addPostings(queryTerms[next]!, q);
    for (let i = 0; i < this.size; i++) out[i] = sums[i]!;
  }

  /** Adds column `term`'s products to the running sums. */
  private addPostings(term: number, query: Float32Array): void {
    const { postingDocument, postingValue, sums } = this;
    const weight = query[term]!;
    const end = this.postingStart[term + 1]!;
    for (let p = this.postingStart[term]!; p < end; p++) sums[postingDocument[p]!]! += postingValue[p]! * weight;
  }
}

/**
 * `out[i] = start[i] + Σ_{d < width} block[i·width + d] · query[offset + d]` for every row i, each sum in
 * float64 and in ascending d; rows are taken four at a time so the four sums proceed in parallel.
 */
function denseDots(block: Float32Array, query: Float32Array, size: number, width: number, offset: number, start: Float64Array | undefined, out: Float32Array | Float64Array): void {
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    let s0 = start ? start[i]! : 0;
    let s1 = start ? start[i + 1]! : 0;
    let s2 = start ? start[i + 2]! : 0;
    let s3 = start ? start[i + 3]! : 0;
    const r0 = i * width;
    const r1 = r0 + width;
    const r2 = r1 + width;
    const r3 = r2 + width;
    for (let d = 0; d < width; d++) {
      const x = query[offset + d]!;
      s0 += block[r0 + d]! * x;
      s1 += block[r1 + d]! * x;
      s2 += block[r2 + d]! * x;
      s3 += block[r3 + d]! * x;
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < size; i++) {
    let sum = start ? start[i]! : 0;
    const row = i * width;
    for (let d = 0; d < width; d++) sum += block[row + d]! * query[offset + d]!;
    out[i] = sum;
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
