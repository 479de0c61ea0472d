import { sigmoid } from "../../math/scalar-functions.js";
import { sparseAffine } from "../../math/sparse-linear.js";

/** Shape and weights of a {@link MlpNetwork}. */
export interface MlpWeights {
  /** Input features: the embedding's dimension + 1 (the prompt-length feature is the last input). */
  inputDimension: number;
  hiddenSize: number;
  outputs: number;
  /** Input → hidden, row-major: row j holds feature j's `hiddenSize` weights. */
  inputWeights: Float32Array;
  hiddenBias: Float32Array;
  /** Hidden → output, row-major: row k holds hidden unit k's `outputs` weights. */
  outputWeights: Float32Array;
  outputBias: Float32Array;
}

/**
 * One hidden ReLU layer over a sparse input, one sigmoid output per candidate. The first layer costs
 * non-zeros × hidden size, so a hashed TF-IDF input with a few hundred non-zeros is cheap whatever its
 * dimension.
 */
export class MlpNetwork {
  readonly weights: MlpWeights;
  private readonly hidden: Float32Array;

  constructor(weights: MlpWeights) {
    this.weights = weights;
    this.hidden = new Float32Array(weights.hiddenSize);
  }

  /** Output probabilities for one input given as non-zeros `start … end` of (indices, values). */
  predict(indices: ArrayLike<number>, values: ArrayLike<number>, start: number, end: number): Float64Array {
    const w = this.weights;
    const h = this.hidden;
    sparseAffine(indices, values, start, end, w.inputWeights, w.hiddenSize, w.inputDimension, w.hiddenBias, h);
    const m = w.outputs;
    const out = new Float64Array(m);
    for (let c = 0; c < m; c++) out[c] = w.outputBias[c]!;
    for (let k = 0; k < w.hiddenSize; k++) {
      const activation = h[k]!;
      if (activation <= 0) continue;
      const base = k * m;
      for (let c = 0; c < m; c++) out[c]! += activation * w.outputWeights[base + c]!;
    }
    for (let c = 0; c < m; c++) out[c] = sigmoid(out[c]!);
    return out;
  }
}
