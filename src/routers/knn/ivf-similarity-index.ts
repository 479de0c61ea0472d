import { SwitchyardError } from "../../core/errors.js";
import type { Random } from "../../core/random.js";
import { createDenseKernel, type DenseKernel } from "./similarity-kernels.js";
import type { SimilarityIndex } from "./similarity-index.js";

/** How an IVF index is laid out: saved in the knn state so a load does not re-run k-means. */
export interface IvfLayout {
  /** Number of inverted lists (coarse clusters). */
  lists: number;
  /** Lists scanned per query (the nearest centroids). */
  probe: number;
  /** Unit-length centroids, row-major (`centroids[c × dimension + d]`). */
  centroids: Float32Array;
  /** List of every training row. */
  assignment: Uint32Array;
}

/**
 * An IVF index's lists as stored: rows in list order, four interleaved per group (`block[(g·d + j)·4 +
 * lane]`), each list padded to whole groups; `rowIds` the training index of each stored row (−1 for
 * padding); list c's groups are `[listStart[c], listStart[c + 1])`.
 */
export interface IvfStoredLists {
  block: Float32Array;
  rowIds: Int32Array;
  listStart: Uint32Array;
}

/** Training rows from which an IVF index is worth it by default (below, the exact scan is as fast). */
export const IVF_MIN_ROWS = 20_000;

/**
 * Default number of lists: about √n (each list then holds about √n rows, and a query scans the √n
 * centroids plus `probe` lists: O(√n) work instead of O(n)), capped so training stays within minutes.
 */
export function defaultIvfLists(rows: number): number {
  return Math.max(1, Math.min(2_048, Math.round(Math.sqrt(rows))));
}

/**
 * Default probe: enough lists that a query reads about 6 % of the rows up to 100k (316 lists → 24), and
 * no more lists beyond, so a decision's cost stops growing with n (lists grow as √n, so the rows read
 * grow as √n too). Measured recall at 100k–1M in docs/performance.md.
 */
export function defaultIvfProbe(lists: number): number {
  return Math.max(1, Math.min(lists, Math.ceil(Math.min(lists, MAX_DEFAULT_PROBE_LISTS) / 16) + 4));
}

/** Lists from which the default probe stops growing (√100,000 ≈ 316, probe 24). */
const MAX_DEFAULT_PROBE_LISTS = 320;

function sameBits(a: Float32Array | Uint32Array, b: Float32Array | Uint32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * Spherical k-means (cosine) on unit vectors: centroids start as `lists` distinct rows drawn with the
 * seeded generator, are fitted on a sample of at most 32 rows per list for `iterations` rounds (the mean
 * of the members, re-normalised; an empty list keeps its centroid), then every row goes to its most
 * similar centroid (similarities as the search computes them, rounded to float32). Cost: (sample + n) ×
 * lists × dimension multiply-adds, in WebAssembly.
 */
export function fitIvfLayout(vectors: readonly Float32Array[], dimension: number, options: { lists?: number; probe?: number; random: Random; iterations?: number }): IvfLayout {
  const n = vectors.length;
  const lists = Math.max(1, Math.min(n, options.lists ?? defaultIvfLists(n)));
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(options.random() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  const centroids = new Float32Array(lists * dimension);
  for (let c = 0; c < lists; c++) centroids.set(vectors[order[c]!]!.subarray(0, dimension), c * dimension);
  const sample = order.subarray(0, Math.min(n, lists * 32));
  const sums = new Float64Array(lists * dimension);
  // Centroid similarities with the search's WebAssembly kernel (the centroids interleaved as a query's
  // centroid scan reads them): at 1M rows and 1,000 lists the assignment is 10^11 multiply-adds, minutes
  // in plain JavaScript.
  const paddedLists = Math.ceil(lists / LANES) * LANES;
  const kernel = createDenseKernel(paddedLists, dimension);
  const block = kernel ? kernel.block : new Float32Array(paddedLists * dimension);
  const query = kernel ? kernel.query : new Float64Array(dimension);
  const out = kernel ? kernel.out : new Float32Array(paddedLists);
  const loadCentroids = () => {
    for (let c = 0; c < lists; c++) interleave(block, c, centroids.subarray(c * dimension, (c + 1) * dimension), dimension);
  };
  const nearest = (vector: Float32Array): number => {
    for (let d = 0; d < dimension; d++) query[d] = vector[d]!;
    if (kernel) kernel.scan();
    else groupDots(block, query, out, 0, paddedLists / LANES);
    let best = 0;
    let bestSimilarity = -Infinity;
    for (let c = 0; c < lists; c++) {
      if (out[c]! > bestSimilarity) {
        bestSimilarity = out[c]!;
        best = c;
      }
    }
    return best;
  };
  loadCentroids();
  for (let iteration = 0; iteration < (options.iterations ?? 6); iteration++) {
    sums.fill(0);
    for (const row of sample) {
      const vector = vectors[row]!;
      const base = nearest(vector) * dimension;
      for (let d = 0; d < dimension; d++) sums[base + d]! += vector[d]!;
    }
    for (let c = 0; c < lists; c++) {
      let norm = 0;
      for (let d = 0; d < dimension; d++) norm += sums[c * dimension + d]! ** 2;
      if (norm === 0) continue;
      const scale = 1 / Math.sqrt(norm);
      for (let d = 0; d < dimension; d++) centroids[c * dimension + d] = sums[c * dimension + d]! * scale;
    }
    loadCentroids();
  }
  const assignment = new Uint32Array(n);
  for (let i = 0; i < n; i++) assignment[i] = nearest(vectors[i]!);
  return { lists, probe: Math.min(lists, options.probe ?? defaultIvfProbe(lists)), centroids, assignment };
}

/** Rows per interleaved group (the layout of DenseSimilarityIndex and the WebAssembly dense kernel). */
const LANES = 4;

/**
 * Approximate nearest-neighbour index over dense unit vectors: an inverted file (IVF; Jégou et al.,
 * "Product quantization for nearest neighbor search", 2011, without the quantisation). Training rows
 * are grouped by their nearest of ~√n centroids and stored contiguously per list; a query ranks the
 * centroids and scans only the `probe` nearest lists. Similarities of the scanned rows are exact (the
 * same float64 sum in ascending d, rounded once, as {@link DenseSimilarityIndex}, with the same
 * WebAssembly kernel over the same four-row interleaved layout, each list padded to whole groups), so a
 * neighbour found is weighted exactly as by the exact index; a true neighbour in an unscanned list is
 * missed (recall@k: docs/performance.md, test/routers/knn/ivf-similarity-index.test.ts).
 */
export class IvfSimilarityIndex implements SimilarityIndex {
  readonly size: number;
  readonly readsSparse = false;
  readonly layout: IvfLayout;
  private readonly dimension: number;
  /** Rows in list order, four interleaved per group, each list padded to whole groups. */
  private readonly block: Float32Array;
  /** Training index of each stored (padded) row; −1 for padding. */
  private readonly rowIds: Int32Array;
  /** Stored groups of list c: `[listStart[c], listStart[c + 1])` (in groups of four rows). */
  private readonly listStart: Uint32Array;
  private readonly kernel: DenseKernel | null;
  private readonly centroidKernel: DenseKernel | null;
  private readonly centroidBlock: Float32Array;
  private readonly out: Float32Array;
  private readonly centroidSimilarity: Float32Array;
  private readonly chosenLists: Int32Array;
  private readonly query64: Float64Array;

  constructor(vectors: readonly Float32Array[], dimension: number, layout: IvfLayout) {
    const counts = new Uint32Array(layout.lists);
    for (let i = 0; i < vectors.length; i++) counts[layout.assignment[i]!]!++;
    const listStart = new Uint32Array(layout.lists + 1);
    for (let c = 0; c < layout.lists; c++) listStart[c + 1] = listStart[c]! + Math.ceil(counts[c]! / LANES);
    this.size = vectors.length;
    this.dimension = dimension;
    this.layout = layout;
    this.listStart = listStart;
    const paddedRows = listStart[layout.lists]! * LANES;
    this.kernel = createDenseKernel(paddedRows, dimension);
    this.block = this.kernel ? this.kernel.block : new Float32Array(paddedRows * dimension);
    this.out = this.kernel ? this.kernel.out : new Float32Array(paddedRows);
    this.rowIds = new Int32Array(paddedRows).fill(-1);
    const cursor = Uint32Array.from({ length: layout.lists }, (_, c) => listStart[c]! * LANES);
    for (let i = 0; i < vectors.length; i++) {
      const row = cursor[layout.assignment[i]!]!++;
      interleave(this.block, row, vectors[i]!, dimension);
      this.rowIds[row] = i;
    }
    const paddedLists = Math.ceil(layout.lists / LANES) * LANES;
    this.centroidKernel = createDenseKernel(paddedLists, dimension);
    this.centroidBlock = this.centroidKernel ? this.centroidKernel.block : new Float32Array(paddedLists * dimension);
    for (let c = 0; c < layout.lists; c++) interleave(this.centroidBlock, c, layout.centroids.subarray(c * dimension, (c + 1) * dimension), dimension);
    this.centroidSimilarity = this.centroidKernel ? this.centroidKernel.out : new Float32Array(paddedLists);
    this.chosenLists = new Int32Array(layout.probe);
    this.query64 = this.kernel ? this.kernel.query : new Float64Array(dimension);
  }

  /**
   * The index from its stored lists ({@link storedLists}, as a knn artifact keeps them): one copy of the
   * interleaved block into the kernel's memory, no regrouping of rows at load. Lists that do not fit the
   * layout (lengths, row ids that are not each training row once) are an `invalid_artifact` error.
   */
  static fromStoredLists(size: number, dimension: number, options: { lists: number; probe: number; centroids: Float32Array; stored: IvfStoredLists }): IvfSimilarityIndex {
    const { lists, stored } = options;
    const fail = (what: string) => new SwitchyardError("invalid_artifact", `knn router state: ivf ${what}`);
    if (stored.listStart.length !== lists + 1 || stored.listStart[0] !== 0) throw fail("listStart does not have lists + 1 entries starting at 0");
    for (let c = 0; c < lists; c++) if (stored.listStart[c + 1]! < stored.listStart[c]!) throw fail("listStart is not ascending");
    const paddedRows = stored.listStart[lists]! * LANES;
    if (stored.rowIds.length !== paddedRows || stored.block.length !== paddedRows * dimension) throw fail("block or rowIds do not match listStart × 4 rows");
    const assignment = new Uint32Array(size);
    const seen = new Uint8Array(size);
    let found = 0;
    for (let c = 0; c < lists; c++) {
      for (let row = stored.listStart[c]! * LANES; row < stored.listStart[c + 1]! * LANES; row++) {
        const id = stored.rowIds[row]!;
        if (id < 0) continue;
        if (id >= size || seen[id]) throw fail("rowIds do not hold every training prompt once");
        seen[id] = 1;
        assignment[id] = c;
        found++;
      }
    }
    if (found !== size) throw fail("rowIds do not hold every training prompt once");
    const index = Object.create(IvfSimilarityIndex.prototype) as IvfSimilarityIndex;
    const kernel = createDenseKernel(paddedRows, dimension);
    const block = kernel ? kernel.block : new Float32Array(paddedRows * dimension);
    block.set(stored.block);
    const layout: IvfLayout = { lists, probe: options.probe, centroids: options.centroids, assignment };
    const paddedLists = Math.ceil(lists / LANES) * LANES;
    const centroidKernel = createDenseKernel(paddedLists, dimension);
    const centroidBlock = centroidKernel ? centroidKernel.block : new Float32Array(paddedLists * dimension);
    for (let c = 0; c < lists; c++) interleave(centroidBlock, c, options.centroids.subarray(c * dimension, (c + 1) * dimension), dimension);
    Object.assign(index, {
      size,
      readsSparse: false,
      dimension,
      layout,
      listStart: Uint32Array.from(stored.listStart),
      kernel,
      block,
      out: kernel ? kernel.out : new Float32Array(paddedRows),
      rowIds: Int32Array.from(stored.rowIds),
      centroidKernel,
      centroidBlock,
      centroidSimilarity: centroidKernel ? centroidKernel.out : new Float32Array(paddedLists),
      chosenLists: new Int32Array(options.probe),
      query64: kernel ? kernel.query : new Float64Array(dimension),
    });
    return index;
  }

  /** The lists as stored (interleaved block, row ids, list starts): what a knn artifact saves, so a load does not regroup the rows. */
  storedLists(): IvfStoredLists {
    return { block: this.block, rowIds: this.rowIds, listStart: this.listStart };
  }

  /**
   * The training vectors in training order, row-major (`size × dimension`), rebuilt from the stored
   * lists: the artifact's `dense` field, without keeping a second copy of the vectors in memory.
   */
  trainingRows(): Float32Array {
    const { dimension, block, rowIds } = this;
    const rows = new Float32Array(this.size * dimension);
    for (let row = 0; row < rowIds.length; row++) {
      const id = rowIds[row]!;
      if (id < 0) continue;
      const base = (row - (row % LANES)) * dimension + (row % LANES);
      for (let d = 0; d < dimension; d++) rows[id * dimension + d] = block[base + d * LANES]!;
    }
    return rows;
  }

  /** Rows a query scans at most: the `probe` longest lists (padding included). */
  get maxCandidates(): number {
    const lengths = Array.from({ length: this.layout.lists }, (_, c) => this.listStart[c + 1]! - this.listStart[c]!).sort((a, b) => b - a);
    return LANES * lengths.slice(0, this.layout.probe).reduce((sum, length) => sum + length, 0);
  }

  /**
   * Writes the training indices and exact similarities of the rows in the `probe` lists nearest the
   * query into `ids` / `similarities` (long enough for {@link maxCandidates}); returns how many.
   */
  candidates(query: { embedding: Float32Array }, ids: Int32Array, similarities: Float32Array): number {
    const { dimension, layout, centroidSimilarity, chosenLists, query64, kernel, centroidKernel, out, rowIds, listStart } = this;
    const q = query.embedding;
    for (let d = 0; d < dimension; d++) query64[d] = q[d]!;
    if (centroidKernel) {
      centroidKernel.query.set(query64);
      centroidKernel.scan();
    } else {
      groupDots(this.centroidBlock, query64, centroidSimilarity, 0, centroidSimilarity.length / LANES);
    }
    // The probe nearest centroids, by insertion into a short sorted list (probe is small).
    let chosen = 0;
    for (let c = 0; c < layout.lists; c++) {
      const value = centroidSimilarity[c]!;
      if (chosen === layout.probe && value <= centroidSimilarity[chosenLists[chosen - 1]!]!) continue;
      let position = chosen < layout.probe ? chosen++ : chosen - 1;
      while (position > 0 && centroidSimilarity[chosenLists[position - 1]!]! < value) {
        chosenLists[position] = chosenLists[position - 1]!;
        position--;
      }
      chosenLists[position] = c;
    }
    let count = 0;
    for (let p = 0; p < chosen; p++) {
      const list = chosenLists[p]!;
      const first = listStart[list]!;
      const groups = listStart[list + 1]! - first;
      if (kernel) kernel.scanGroups(first, groups);
      else groupDots(this.block, query64, out, first, groups);
      const end = (first + groups) * LANES;
      for (let row = first * LANES; row < end; row++) {
        const id = rowIds[row]!;
        if (id < 0) continue;
        ids[count] = id;
        similarities[count++] = out[row]!;
      }
    }
    return count;
  }

  /** All similarities, for callers that need the full vector: exact on the probed rows, −∞ elsewhere (never a neighbour). */
  similarities(query: { embedding: Float32Array }, out: Float32Array): void {
    out.fill(-Infinity);
    const ids = new Int32Array(this.maxCandidates);
    const values = new Float32Array(ids.length);
    const count = this.candidates(query, ids, values);
    for (let i = 0; i < count; i++) out[ids[i]!] = values[i]!;
  }

  sameVectors(other: SimilarityIndex): boolean {
    if (other === this) return true;
    if (!(other instanceof IvfSimilarityIndex) || other.size !== this.size || other.dimension !== this.dimension || other.layout.probe !== this.layout.probe) return false;
    return sameBits(this.block, other.block) && sameBits(new Uint32Array(this.rowIds.buffer, this.rowIds.byteOffset, this.rowIds.length), new Uint32Array(other.rowIds.buffer, other.rowIds.byteOffset, other.rowIds.length)) && sameBits(this.layout.centroids, other.layout.centroids);
  }
}

/** Stores `vector` as row `row` of a four-row interleaved block (`block[(g·width + d)·4 + lane]`). */
function interleave(block: Float32Array, row: number, vector: Float32Array, width: number): void {
  const base = (row - (row % LANES)) * width + (row % LANES);
  for (let d = 0; d < width; d++) block[base + d * LANES] = vector[d]!;
}

/** JavaScript fallback of the kernel's group scan: `out[row]` for the rows of groups `[first, first + groups)`. */
function groupDots(block: Float32Array, query: Float64Array, out: Float32Array, first: number, groups: number): void {
  const width = query.length;
  let p = first * LANES * width;
  for (let g = first; g < first + groups; g++) {
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
    out[g * LANES] = s0;
    out[g * LANES + 1] = s1;
    out[g * LANES + 2] = s2;
    out[g * LANES + 3] = s3;
  }
}
