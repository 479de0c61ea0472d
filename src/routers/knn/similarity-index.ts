import type { SparseVector } from "../../embedders/sparse-vector.js";
import { createDenseKernel, createSparseKernel, type DenseKernel, type SparseKernel } from "./similarity-kernels.js";

/**
 * Which inner loops an index runs: `wasm` (see similarity-kernels.ts; falls back to `javascript` where
 * WebAssembly SIMD is missing), `javascript`, or `auto` (the default: `wasm` when the index is large
 * enough for it to matter). All three give bit-identical similarities.
 */
export type SimilarityKernelChoice = "auto" | "wasm" | "javascript";

/** Below this much work per search (multiply-adds or postings) an index stays in JavaScript (no WebAssembly memory per tiny index). */
const WASM_MIN_WORK = 16_384;

function wantsWasm(choice: SimilarityKernelChoice, work: number): boolean {
  return choice === "wasm" || (choice === "auto" && work >= WASM_MIN_WORK);
}

/** Cosine similarity of a query to every training prompt (vectors are unit length, so a dot product). */
export interface SimilarityIndex {
  readonly size: number;
  /** True when a query's `sparseEmbedding`, if it has one, is all the index reads of it (not `embedding`). */
  readonly readsSparse?: boolean;
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
  readonly readsSparse = true;
  /** The inner loop in use (see {@link SimilarityKernelChoice}). */
  readonly kernel: "wasm" | "javascript";
  private readonly postingStart: Uint32Array;
  private readonly postingDocument: Uint32Array;
  private readonly postingValue: Float32Array;
  /** With the `wasm` kernel: the postings live in its memory, and it accumulates there. */
  private readonly wasm: SparseKernel | null;

  constructor(vectors: readonly SparseVector[], dimension: number, options: { kernel?: SimilarityKernelChoice } = {}) {
    this.size = vectors.length;
    const counts = new Uint32Array(dimension + 1);
    for (const vector of vectors) for (const index of vector.indices) counts[index + 1]!++;
    for (let i = 1; i <= dimension; i++) counts[i]! += counts[i - 1]!;
    this.postingStart = counts.slice();
    const cursor = counts.slice(0, dimension);
    const total = counts[dimension]!;
    this.wasm = wantsWasm(options.kernel ?? "auto", total) ? createSparseKernel(total, vectors.length) : null;
    this.kernel = this.wasm ? "wasm" : "javascript";
    this.postingDocument = this.wasm ? this.wasm.postingDocument : new Uint32Array(total);
    this.postingValue = this.wasm ? this.wasm.postingValue : new Float32Array(total);
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
    const sparse = query.sparseEmbedding ?? toSparse(query.embedding);
    const { postingStart, postingDocument, postingValue, wasm } = this;
    if (wasm) {
      // The same accumulation as below, term by term in the query's (ascending) order.
      wasm.out.fill(0);
      for (let j = 0; j < sparse.indices.length; j++) {
        const term = sparse.indices[j]!;
        if (term + 1 >= postingStart.length) continue;
        wasm.accumulate(postingStart[term]!, postingStart[term + 1]!, sparse.values[j]!);
      }
      out.set(wasm.out);
      return;
    }
    out.fill(0);
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
 * - **dense**: one contiguous `Float32Array` scanned in one pass four rows at a time (four independent
 *   sums, so the CPU overlaps them; each row's sum keeps its order). The four rows of a group are
 *   interleaved column by column (`block[(g·width + d)·4 + lane]`, rows padded with zeros to a multiple
 *   of four), so the scan reads one sequential stream, and a group's four values for column d are one
 *   SIMD load for the WebAssembly kernel (similarity-kernels.ts; 0.35 → 0.12 ms over 5,608 × 100);
 * - **hybrid**, chosen when the columns outside a contiguous block of densely used columns are mostly
 *   zeros (`combined` = hashed TF-IDF n-grams + 100-d word vectors; see {@link chooseDenseBlock}):
 *   those columns go to an inverted index (posting lists per column) and only the block is scanned
 *   densely. Columns before the block are
 *   added first, then the block, then the columns after it, so each sum still runs in ascending `d`, and
 *   adding the skipped zero products would not have changed it.
 */
export class DenseSimilarityIndex implements SimilarityIndex {
  readonly size: number;
  readonly readsSparse = false;
  /** `dense` or `hybrid` (see the class comment). */
  readonly layout: "dense" | "hybrid";
  private readonly dimension: number;
  /** Columns `[blockStart, blockEnd)` are stored densely in `block`, four rows interleaved (see the class comment). */
  private readonly blockStart: number;
  private readonly blockEnd: number;
  private readonly block: Float32Array;
  /** Scratch: the query's block columns in float64 (converted once per search, not once per row group). */
  private readonly blockQuery: Float64Array;
  /** Inverted index over the other columns (hybrid layout only). */
  private readonly postingStart: Uint32Array;
  private readonly postingDocument: Uint32Array;
  private readonly postingValue: Float32Array;
  private readonly sums: Float64Array;
  private readonly queryTerms: Uint32Array;
  /** The inner loop in use (see {@link SimilarityKernelChoice}; the hybrid layout always runs in JavaScript). */
  readonly kernel: "wasm" | "javascript";
  /** With the `wasm` kernel (dense layout): the block and the query live in its memory, and it scans there. */
  private readonly wasm: DenseKernel | null;
  /** The kernel's output without the padded rows. */
  private readonly wasmOut: Float32Array;

  constructor(vectors: readonly Float32Array[], dimension: number, options: { kernel?: SimilarityKernelChoice } = {}) {
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
    const padded = paddedRows(vectors.length);
    this.wasm = !hybrid && width > 0 && wantsWasm(options.kernel ?? "auto", padded * width) ? createDenseKernel(padded, width) : null;
    this.kernel = this.wasm ? "wasm" : "javascript";
    this.wasmOut = this.wasm ? this.wasm.out.subarray(0, vectors.length) : new Float32Array(0);
    this.block = this.wasm ? this.wasm.block : new Float32Array(padded * width);
    vectors.forEach((vector, i) => {
      const base = (i - (i % LANES)) * width + (i % LANES);
      for (let d = 0; d < width; d++) this.block[base + d * LANES] = vector[blockStart + d]!;
    });
    this.blockQuery = new Float64Array(width);
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
    this.sums = new Float64Array(hybrid ? padded : 0);
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
    const { wasm } = this;
    if (wasm) {
      const { query: wasmQuery } = wasm;
      for (let d = 0; d < wasmQuery.length; d++) wasmQuery[d] = q[d]!;
      wasm.scan();
      out.set(this.wasmOut);
      return;
    }
    const { blockQuery, blockStart, blockEnd } = this;
    for (let d = blockStart; d < blockEnd; d++) blockQuery[d - blockStart] = q[d]!;
    if (this.layout === "dense") {
      denseDots(this.block, blockQuery, this.size, out);
      return;
    }
    const { sums, queryTerms, dimension } = this;
    let termCount = 0;
    for (let d = 0; d < dimension; d++) if ((d < blockStart || d >= blockEnd) && q[d]) queryTerms[termCount++] = d;
    sums.fill(0);
    let next = 0;
    for (; next < termCount && queryTerms[next]! < blockStart; next++) this.addPostings(queryTerms[next]!, q);
    addDenseDots(this.block, blockQuery, sums);
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

/** Rows per interleaved group of the dense block. */
const LANES = 4;

/** `count` rounded up to a whole number of groups. */
function paddedRows(count: number): number {
  return Math.ceil(count / LANES) * LANES;
}

/**
 * `out[i] = Σ_{d < width} x[i, d] · query[d]` for every row i < `size` (`width` = `query.length`), each
 * sum in float64 and in ascending d, over a block whose rows are interleaved four at a time
 * (`block[(g·width + d)·4 + lane]` = row 4g + lane, column d); the four sums of a group proceed in
 * parallel. (Kept apart from {@link addDenseDots}: one shape per function keeps V8's code monomorphic.)
 */
function denseDots(block: Float32Array, query: Float64Array, size: number, out: Float32Array): void {
  const width = query.length;
  let p = 0;
  for (let i = 0; i < size; i += LANES) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let d = 0; d < width; d++, p += LANES) {
      const x = query[d]!;
      s0 += block[p]! * x;
      s1 += block[p + 1]! * x;
      s2 += block[p + 2]! * x;
      s3 += block[p + 3]! * x;
    }
    if (i + LANES <= size) {
      out[i] = s0;
      out[i + 1] = s1;
      out[i + 2] = s2;
      out[i + 3] = s3;
    } else {
      out[i] = s0;
      if (i + 1 < size) out[i + 1] = s1;
      if (i + 2 < size) out[i + 2] = s2;
    }
  }
}

/** As {@link denseDots}, adding to the running sums: `sums[i] += Σ_d x[i, d] · query[d]` (sums cover the padded rows). */
function addDenseDots(block: Float32Array, query: Float64Array, sums: Float64Array): void {
  const width = query.length;
  let p = 0;
  for (let i = 0; i < sums.length; i += LANES) {
    let s0 = sums[i]!;
    let s1 = sums[i + 1]!;
    let s2 = sums[i + 2]!;
    let s3 = sums[i + 3]!;
    for (let d = 0; d < width; d++, p += LANES) {
      const x = query[d]!;
      s0 += block[p]! * x;
      s1 += block[p + 1]! * x;
      s2 += block[p + 2]! * x;
      s3 += block[p + 3]! * x;
    }
    sums[i] = s0;
    sums[i + 1] = s1;
    sums[i + 2] = s2;
    sums[i + 3] = s3;
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
