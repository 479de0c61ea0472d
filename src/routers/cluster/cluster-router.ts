import { clamp01 } from "../../math/scalar-functions.js";
import { sparseEntriesOf } from "../../math/sparse-rows.js";
import type { Router, RouteInput, RouterState } from "../router.js";
import { clusterWeights, type ClusterGeometry } from "./cluster-assignment.js";

/**
 * UniRoute's cluster router (Jitkrittum et al., 2025, "Universal Model Routing for Efficient LLM
 * Inference"): prompts are clustered by k-means over their embeddings, and each model is represented by
 * its mean quality in every cluster (shrunk toward its overall mean). A prompt's predicted quality for a
 * model is that model's quality in the prompt's cluster(s). Because a model is only a vector of
 * per-cluster qualities, a NEW model can be added from its scores on a small anchor set, without
 * retraining ({@link addModelToClusterRouter}).
 */
export class ClusterRouter implements Router {
  readonly kind = "cluster";
  readonly followsObjective = true;
  readonly models: readonly string[];
  readonly geometry: ClusterGeometry;
  /** Per-cluster quality, row-major k × models. */
  readonly quality: Float32Array;
  private readonly weights: Float64Array;
  private readonly distances: Float64Array;
  private readonly toStateFunction: () => RouterState;

  constructor(parts: { models: readonly string[]; geometry: ClusterGeometry; quality: Float32Array; toState: () => RouterState }) {
    this.models = parts.models;
    this.geometry = parts.geometry;
    this.quality = parts.quality;
    this.weights = new Float64Array(parts.geometry.k);
    this.distances = new Float64Array(parts.geometry.k);
    this.toStateFunction = parts.toState;
  }

  /** Cluster weights of a prompt (a fresh array of length k summing to 1). */
  clusterWeightsOf(input: Pick<RouteInput, "embedding" | "sparseEmbedding">): Float64Array {
    clusterWeights(this.geometry, sparseEntriesOf(input.embedding, input.sparseEmbedding), this.weights, this.distances);
    return this.weights.slice();
  }

  predictQuality(input: RouteInput): Float64Array {
    clusterWeights(this.geometry, sparseEntriesOf(input.embedding, input.sparseEmbedding), this.weights, this.distances);
    const m = this.models.length;
    const quality = new Float64Array(m);
    for (let c = 0; c < this.geometry.k; c++) {
      const w = this.weights[c]!;
      if (w === 0) continue;
      for (let j = 0; j < m; j++) quality[j]! += w * this.quality[c * m + j]!;
    }
    for (let j = 0; j < m; j++) quality[j] = clamp01(quality[j]!);
    return quality;
  }

  explain(input: RouteInput): string[] {
    const weights = this.clusterWeightsOf(input);
    const lines: string[] = [];
    weights.forEach((w, c) => {
      if (w > 0.01) lines.push(`cluster ${c}: weight ${w.toFixed(3)}`);
    });
    return lines;
  }

  toState(): RouterState {
    return this.toStateFunction();
  }
}
