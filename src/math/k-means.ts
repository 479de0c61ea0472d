import type { Random } from "../core/random.js";
import { rowSquaredNorms, type SparseEntries, type SparseRows } from "./sparse-rows.js";

/** Options of {@link kMeans}. */
export interface KMeansOptions {
  k: number;
  random: Random;
  maxIterations: number;
  /** Stop once at most this share of the rows changed cluster in an iteration (default 0.001). */
  tolerance?: number;
}

/** Fitted centroids. */
export interface KMeansResult {
  k: number;
  dimension: number;
  /** Feature-major centroids: `centroids[j × k + c]` is coordinate j of centroid c (a sparse row's dot products with all centroids then read contiguous memory). */
  centroids: Float64Array;
  /** Cluster of every fitted row. */
  assignments: Int32Array;
  iterations: number;
  /** Sum of squared distances of the rows to their centroids. */
  inertia: number;
}

/**
 * Lloyd's k-means over sparse rows, seeded by k-means++ (Arthur & Vassilvitskii, 2007): the first
 * centre is a uniform draw, each next one a draw with probability ∝ squared distance to the nearest
 * centre so far. Distances use ‖x‖² − 2x·c + ‖c‖², so a pass costs non-zeros × k. An emptied cluster is
 * re-seeded with the row farthest from its centre. Stops when at most `tolerance` of the rows changed
 * cluster in an iteration (the last centroid moves are then negligible) or after `maxIterations`.
 */
export function kMeans(rows: SparseRows, options: KMeansOptions): KMeansResult {
  const n = rows.count;
  const d = rows.dimension;
  const k = Math.max(1, Math.min(options.k, n));
  const centroids = new Float64Array(d * k);
  const centroidNorms = new Float64Array(k);
  const rowNorms = rowSquaredNorms(rows);
  const nearest = new Float64Array(n).fill(Infinity);
  const setCentroidToRow = (c: number, r: number): void => {
    for (let j = 0; j < d; j++) centroids[j * k + c] = 0;
    for (let p = rows.offsets[r]!; p < rows.offsets[r + 1]!; p++) centroids[rows.indices[p]! * k + c] = rows.values[p]!;
    centroidNorms[c] = rowNorms[r]!;
  };
  // k-means++ seeding.
  setCentroidToRow(0, Math.min(n - 1, Math.floor(options.random() * n)));
  for (let c = 0; c < k; c++) {
    let total = 0;
    for (let r = 0; r < n; r++) {
      const distance = squaredDistanceToCentroid(rows, r, rowNorms[r]!, centroids, centroidNorms, k, c);
      if (distance < nearest[r]!) nearest[r] = distance;
      total += nearest[r]!;
    }
    if (c + 1 >= k) break;
    let target = options.random() * total;
    let chosen = n - 1;
    for (let r = 0; r < n; r++) {
      target -= nearest[r]!;
      if (target < 0) {
        chosen = r;
        break;
      }
    }
    setCentroidToRow(c + 1, chosen);
  }
  // Lloyd iterations.
  const assignments = new Int32Array(n).fill(-1);
  const distances = new Float64Array(n);
  const products = new Float64Array(k);
  const counts = new Int32Array(k);
  let iterations = 0;
  let inertia = 0;
  for (; iterations < options.maxIterations; iterations++) {
    let changed = 0;
    inertia = 0;
    for (let r = 0; r < n; r++) {
      const { cluster, distance } = nearestCentroid(rows.indices, rows.values, rows.offsets[r]!, rows.offsets[r + 1]!, rowNorms[r]!, centroids, centroidNorms, k, products);
      if (assignments[r] !== cluster) changed++;
      assignments[r] = cluster;
      distances[r] = distance;
      inertia += distance;
    }
    if (changed <= (options.tolerance ?? 0.001) * n) break;
    centroids.fill(0);
    counts.fill(0);
    for (let r = 0; r < n; r++) {
      const c = assignments[r]!;
      counts[c]!++;
      for (let p = rows.offsets[r]!; p < rows.offsets[r + 1]!; p++) centroids[rows.indices[p]! * k + c]! += rows.values[p]!;
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        let farthest = 0;
        for (let r = 1; r < n; r++) if (distances[r]! > distances[farthest]!) farthest = r;
        distances[farthest] = 0;
        setCentroidToRow(c, farthest);
        continue;
      }
      const scale = 1 / counts[c]!;
      let norm = 0;
      for (let j = 0; j < d; j++) {
        const value = centroids[j * k + c]! * scale;
        centroids[j * k + c] = value;
        norm += value * value;
      }
      centroidNorms[c] = norm;
    }
  }
  return { k, dimension: d, centroids, assignments, iterations, inertia };
}

/** Squared norms of feature-major centroids. */
export function centroidSquaredNorms(centroids: Float64Array | Float32Array, k: number, dimension: number): Float64Array {
  const norms = new Float64Array(k);
  for (let j = 0; j < dimension; j++) for (let c = 0; c < k; c++) norms[c]! += centroids[j * k + c]! ** 2;
  return norms;
}

/**
 * Squared distances of one sparse vector (non-zeros `start … end`, squared norm `norm`) to every
 * feature-major centroid, written into `out` (length k). Indices at or beyond the centroids' dimension
 * are treated as orthogonal to every centroid.
 */
export function squaredDistances(
  indices: ArrayLike<number>,
  values: ArrayLike<number>,
  start: number,
  end: number,
  norm: number,
  centroids: Float64Array | Float32Array,
  centroidNorms: Float64Array,
  k: number,
  out: Float64Array,
): void {
  const dimension = centroids.length / k;
  out.fill(0, 0, k);
  for (let p = start; p < end; p++) {
    const j = indices[p]!;
    if (j >= dimension) continue;
    const v = values[p]!;
    const base = j * k;
    for (let c = 0; c < k; c++) out[c]! += v * centroids[base + c]!;
  }
  for (let c = 0; c < k; c++) out[c] = Math.max(0, norm - 2 * out[c]! + centroidNorms[c]!);
}

/** Squared norm of a sparse vector's entries. */
export function entriesSquaredNorm(entries: SparseEntries): number {
  let sum = 0;
  for (let p = 0; p < entries.values.length; p++) sum += entries.values[p]! ** 2;
  return sum;
}

function nearestCentroid(
  indices: Int32Array,
  values: Float32Array,
  start: number,
  end: number,
  norm: number,
  centroids: Float64Array,
  centroidNorms: Float64Array,
  k: number,
  scratch: Float64Array,
): { cluster: number; distance: number } {
  squaredDistances(indices, values, start, end, norm, centroids, centroidNorms, k, scratch);
  let cluster = 0;
  for (let c = 1; c < k; c++) if (scratch[c]! < scratch[cluster]!) cluster = c;
  return { cluster, distance: scratch[cluster]! };
}

function squaredDistanceToCentroid(rows: SparseRows, r: number, norm: number, centroids: Float64Array, centroidNorms: Float64Array, k: number, c: number): number {
  let dot = 0;
  for (let p = rows.offsets[r]!; p < rows.offsets[r + 1]!; p++) dot += rows.values[p]! * centroids[rows.indices[p]! * k + c]!;
  return Math.max(0, norm - 2 * dot + centroidNorms[c]!);
}
