import type { Random } from "../../core/random.js";
import { Adam } from "../../math/adam.js";
import { trainMiniBatches, type EarlyStoppingReport } from "../../math/early-stopping.js";
import { ADAM_UPDATE_COST, epochsWithinBudget, nonZerosOf } from "../../math/work-budget.js";
import { binaryCrossEntropyWithLogit, logit, sigmoid } from "../../math/scalar-functions.js";
import { fillUniform } from "../../math/seeded-init.js";
import { sparseAffine, sparseOuterAccumulate, TouchedRows } from "../../math/sparse-linear.js";
import type { SparseRows } from "../../math/sparse-rows.js";
import type { MlpWeights } from "./mlp-network.js";
import type { MlpParams } from "./mlp-params.js";

/** Inputs of {@link trainMlp}. */
export interface MlpTrainingData {
  /** Input rows (embedding non-zeros plus the prompt-length feature). */
  rows: SparseRows;
  /** Targets in [0, 1], row-major n × m. */
  scores: Float64Array;
  outputs: number;
  /** Rows to train on and rows to validate on (early stopping). */
  train: Int32Array;
  validation: Int32Array;
}

/**
 * Trains the multi-output MLP: binary cross-entropy of every candidate's sigmoid output against its
 * score, Adam on mini-batches (lazy rows for the sparse first layer), inverted dropout on the hidden
 * layer, early stopping on the validation rows. Every random draw comes from `random`.
 */
export function trainMlp(data: MlpTrainingData, params: MlpParams, random: Random): { weights: MlpWeights; report: EarlyStoppingReport & { epochLimit: number } } {
  const { rows, scores, outputs: m } = data;
  const d = rows.dimension;
  const hSize = params.hiddenSize;
  const weights: MlpWeights = {
    inputDimension: d,
    hiddenSize: hSize,
    outputs: m,
    inputWeights: new Float32Array(d * hSize),
    hiddenBias: new Float32Array(hSize),
    outputWeights: new Float32Array(hSize * m),
    outputBias: new Float32Array(m),
  };
  // Glorot-uniform initialisation; output biases start at the logit of each candidate's mean score.
  fillUniform(weights.inputWeights, random, Math.sqrt(6 / (d + hSize)));
  fillUniform(weights.outputWeights, random, Math.sqrt(6 / (hSize + m)));
  for (let c = 0; c < m; c++) {
    let sum = 0;
    for (const r of data.train) sum += scores[r * m + c]!;
    weights.outputBias[c] = logit(sum / Math.max(1, data.train.length), 1e-3);
  }
  const adamOptions = { learningRate: params.learningRate, weightDecay: params.weightDecay };
  const optimisers = {
    inputWeights: new Adam(weights.inputWeights.length, adamOptions),
    hiddenBias: new Adam(hSize, { learningRate: params.learningRate }),
    outputWeights: new Adam(weights.outputWeights.length, adamOptions),
    outputBias: new Adam(m, { learningRate: params.learningRate }),
  };
  const gradients = {
    inputWeights: new Float32Array(weights.inputWeights.length),
    hiddenBias: new Float32Array(hSize),
    outputWeights: new Float32Array(weights.outputWeights.length),
    outputBias: new Float32Array(m),
  };
  const touched = new TouchedRows(d);
  const preActivation = new Float32Array(hSize);
  const hidden = new Float32Array(hSize);
  const hiddenDelta = new Float32Array(hSize);
  const outputDelta = new Float64Array(m);
  const keep = 1 - params.dropout;
  const order = data.train.slice();
  const batchSize = Math.max(1, Math.min(params.batchSize, order.length));

  const step = (batchStart: number, batchEnd: number): void => {
    const scale = 1 / (batchEnd - batchStart);
    for (let b = batchStart; b < batchEnd; b++) {
      const r = order[b]!;
      const start = rows.offsets[r]!;
      const end = rows.offsets[r + 1]!;
      sparseAffine(rows.indices, rows.values, start, end, weights.inputWeights, hSize, d, weights.hiddenBias, preActivation);
      for (let k = 0; k < hSize; k++) {
        const active = preActivation[k]! > 0 && (keep >= 1 || random() < keep);
        hidden[k] = active ? preActivation[k]! / keep : 0;
      }
      for (let c = 0; c < m; c++) outputDelta[c] = weights.outputBias[c]!;
      for (let k = 0; k < hSize; k++) {
        const activation = hidden[k]!;
        if (activation === 0) continue;
        for (let c = 0; c < m; c++) outputDelta[c]! += activation * weights.outputWeights[k * m + c]!;
      }
      // d(BCE)/d(logit) = σ(z) − y.
      for (let c = 0; c < m; c++) {
        outputDelta[c] = (sigmoid(outputDelta[c]!) - scores[r * m + c]!) * scale;
        gradients.outputBias[c]! += outputDelta[c]!;
      }
      for (let k = 0; k < hSize; k++) {
        const activation = hidden[k]!;
        if (activation === 0) {
          hiddenDelta[k] = 0;
          continue;
        }
        let sum = 0;
        const base = k * m;
        for (let c = 0; c < m; c++) {
          gradients.outputWeights[base + c]! += activation * outputDelta[c]!;
          sum += weights.outputWeights[base + c]! * outputDelta[c]!;
        }
        // Through the dropout scaling and the ReLU (active units only).
        hiddenDelta[k] = sum / keep;
        gradients.hiddenBias[k]! += hiddenDelta[k]!;
      }
      sparseOuterAccumulate(rows.indices, rows.values, start, end, hiddenDelta, gradients.inputWeights, hSize, touched);
    }
    optimisers.inputWeights.updateRows(weights.inputWeights, gradients.inputWeights, touched.rows, touched.count, hSize);
    touched.clear();
    optimisers.hiddenBias.update(weights.hiddenBias, gradients.hiddenBias);
    optimisers.outputWeights.update(weights.outputWeights, gradients.outputWeights);
    optimisers.outputBias.update(weights.outputBias, gradients.outputBias);
  };

  const validationLoss = (): number | null => {
    if (data.validation.length === 0) return null;
    let loss = 0;
    const logits = new Float64Array(m);
    for (const r of data.validation) {
      sparseAffine(rows.indices, rows.values, rows.offsets[r]!, rows.offsets[r + 1]!, weights.inputWeights, hSize, d, weights.hiddenBias, preActivation);
      for (let c = 0; c < m; c++) logits[c] = weights.outputBias[c]!;
      for (let k = 0; k < hSize; k++) {
        const activation = preActivation[k]!;
        if (activation <= 0) continue;
        for (let c = 0; c < m; c++) logits[c]! += activation * weights.outputWeights[k * m + c]!;
      }
      for (let c = 0; c < m; c++) loss += binaryCrossEntropyWithLogit(logits[c]!, scores[r * m + c]!);
    }
    return loss / (data.validation.length * m);
  };

  // Work of one epoch: forward + backward through the first layer (2 × non-zeros × hidden) and the
  // output layer, one Adam update of every parameter per mini-batch, and the validation forward pass.
  const trainNonZeros = nonZerosOf(rows.offsets, order);
  const epochCost =
    2 * hSize * (trainNonZeros + 2 * m * order.length) +
    Math.ceil(order.length / batchSize) * (d * hSize + hSize * m) * ADAM_UPDATE_COST +
    hSize * (nonZerosOf(rows.offsets, data.validation) + m * data.validation.length);
  const maxEpochs = epochsWithinBudget({ workBudget: params.workBudget, epochCost, maxEpochs: params.maxEpochs });
  const report = trainMiniBatches({ maxEpochs, patience: params.patience, order, batchSize, random, step, validationLoss, weights, copy: copyWeights });
  return { weights, report: { ...report, epochLimit: maxEpochs } };
}

function copyWeights(weights: MlpWeights): MlpWeights {
  return {
    ...weights,
    inputWeights: weights.inputWeights.slice(),
    hiddenBias: weights.hiddenBias.slice(),
    outputWeights: weights.outputWeights.slice(),
    outputBias: weights.outputBias.slice(),
  };
}
