import { squaredDistances } from "../../math/k-means.js";
import type { SparseEntries } from "../../math/sparse-rows.js";
import type { ClusterAssignmentParams } from "./cluster-params.js";

/** Centroids and how prompts are assigned to them. */
export interface ClusterGeometry {
  k: number;
  dimension: number;
  /** Feature-major centroids (`centroids[j × k + c]`). */
  centroids: Float32Array;
  centroidNorms: Float64Array;
  assignment: Pick<ClusterAssignmentParams, "assignment" | "temperature" | "neighbours">;
}

/**
 * Cluster weights of one prompt (summing to 1), written into `weights` (length k): hard = the nearest
 * centroid; soft = a softmax over −squared distance / temperature among the `neighbours` nearest
 * (UniRoute, Jitkrittum et al., 2025, §4 uses the hard form; the soft one smooths cluster borders).
 * `distances` is scratch of length k.
 */
export function clusterWeights(geometry: ClusterGeometry, entries: SparseEntries, weights: Float64Array, distances: Float64Array): void {
  const { k } = geometry;
  let norm = 0;
  for (let p = 0; p < entries.values.length; p++) norm += entries.values[p]! ** 2;
  squaredDistances(entries.indices, entries.values, 0, entries.indices.length, norm, geometry.centroids, geometry.centroidNorms, k, distances);
  weights.fill(0, 0, k);
  let nearest = 0;
  for (let c = 1; c < k; c++) if (distances[c]! < distances[nearest]!) nearest = c;
  const { assignment, temperature, neighbours } = geometry.assignment;
  if (assignment === "hard" || neighbours <= 1 || k === 1) {
    weights[nearest] = 1;
    return;
  }
  // The `neighbours` nearest centroids, by repeated selection (neighbours is small).
  const chosen: number[] = [];
  const taken = new Uint8Array(k);
  for (let s = 0; s < Math.min(neighbours, k); s++) {
    let best = -1;
    for (let c = 0; c < k; c++) if (taken[c] === 0 && (best < 0 || distances[c]! < distances[best]!)) best = c;
    taken[best] = 1;
    chosen.push(best);
  }
  const closest = distances[nearest]!;
  let total = 0;
  for (const c of chosen) {
    const w = Math.exp(-(distances[c]! - closest) / temperature);
    weights[c] = w;
    total += w;
  }
  for (const c of chosen) weights[c]! /= total;
}
