import { logTokenFeature, type LogTokenScale } from "../../math/log-token-feature.js";
import { clamp01 } from "../../math/scalar-functions.js";
import { sparseEntriesOf } from "../../math/sparse-rows.js";
import type { Router, RouteInput, RouterState } from "../router.js";
import { MlpNetwork, type MlpWeights } from "./mlp-network.js";

/**
 * RouterBench's MLP router (Hu et al., 2024) in the shape of the Guarded Query Routing paper's WideMLP
 * (Galke & Scherp, 2022): the sparse embedding plus a prompt-length feature → one wide ReLU layer → one
 * sigmoid output per candidate, its predicted quality. One network serves all candidates, so what it
 * learns about a prompt is shared.
 */
export class MlpRouter implements Router {
  readonly kind = "mlp";
  readonly followsObjective = true;
  readonly models: readonly string[];
  private readonly network: MlpNetwork;
  private readonly tokens: LogTokenScale;
  private readonly toStateFunction: () => RouterState;

  constructor(parts: { models: readonly string[]; weights: MlpWeights; tokens: LogTokenScale; toState: () => RouterState }) {
    this.models = parts.models;
    this.network = new MlpNetwork(parts.weights);
    this.tokens = parts.tokens;
    this.toStateFunction = parts.toState;
  }

  predictQuality(input: RouteInput): Float64Array {
    const entries = sparseEntriesOf(input.embedding, input.sparseEmbedding);
    const count = entries.indices.length;
    const tokenIndex = this.network.weights.inputDimension - 1;
    const indices = new Int32Array(count + 1);
    const values = new Float32Array(count + 1);
    let at = 0;
    for (let p = 0; p < count; p++) {
      const j = entries.indices[p]!;
      if (j >= tokenIndex) continue;
      indices[at] = j;
      values[at++] = entries.values[p]!;
    }
    indices[at] = tokenIndex;
    values[at++] = logTokenFeature(input.promptTokens, this.tokens);
    const quality = this.network.predict(indices, values, 0, at);
    for (let c = 0; c < quality.length; c++) quality[c] = clamp01(quality[c]!);
    return quality;
  }

  toState(): RouterState {
    return this.toStateFunction();
  }
}
