import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";
import type { Random } from "../core/random.js";
import { float32FromBase64, float32ToBase64 } from "../util/base64-arrays.js";

/** A sparse input row: ascending feature `indices` (all below the model's input dimension) and their `values`. */
export interface SparseInput {
  indices: Uint32Array;
  values: Float32Array;
}

/** Training options of {@link trainWideMlp}. */
export interface WideMlpTrainOptions {
  /** Width of the one hidden layer (Galke & Scherp use 1024; a few hundred suffice for short queries). */
  hiddenUnits: number;
  epochs: number;
  /** Adam step size. */
  learningRate: number;
  batchSize: number;
  /** Inverted dropout on the hidden layer during training. */
  dropout: number;
  /** Per-class loss weights (defaults to 1 for every class), e.g. to up-weight a rare out-of-scope class. */
  classWeights?: readonly number[];
  /** Per-example loss weights (defaults to 1). */
  exampleWeights?: readonly number[];
  /** Seeded source of every random draw (initialisation, shuffling, dropout). */
  random: Random;
}

/**
 * WideMLP: bag-of-n-grams input → one wide ReLU hidden layer → softmax (Galke & Scherp, "Bag-of-Words
 * Baselines for Text Classification Are Better Than Believed", ACL 2022), the fast classifier the Guarded
 * Query Routing paper (Šléher et al., 2025) recommends for guarded routing. The input is sparse, so a
 * forward pass costs `nonZeros × hiddenUnits + hiddenUnits × classes` multiply-adds: well under a
 * millisecond for a query.
 */
export class WideMlp {
  readonly inputDimension: number;
  readonly hiddenUnits: number;
  readonly classes: number;
  /** Input → hidden weights, row-major: row `i` holds feature `i`'s `hiddenUnits` weights. */
  readonly inputWeights: Float32Array;
  readonly hiddenBias: Float32Array;
  /** Hidden → output weights, row-major: row `j` holds hidden unit `j`'s `classes` weights. */
  readonly outputWeights: Float32Array;
  readonly outputBias: Float32Array;

  constructor(parts: { inputDimension: number; hiddenUnits: number; classes: number; inputWeights: Float32Array; hiddenBias: Float32Array; outputWeights: Float32Array; outputBias: Float32Array }) {
    this.inputDimension = parts.inputDimension;
    this.hiddenUnits = parts.hiddenUnits;
    this.classes = parts.classes;
    this.inputWeights = parts.inputWeights;
    this.hiddenBias = parts.hiddenBias;
    this.outputWeights = parts.outputWeights;
    this.outputBias = parts.outputBias;
  }

  /** Hidden activations (after ReLU) of one input. */
  hidden(input: SparseInput, into = new Float32Array(this.hiddenUnits)): Float32Array {
    const width = this.hiddenUnits;
    into.set(this.hiddenBias);
    const { indices, values } = input;
    const weights = this.inputWeights;
    for (let n = 0; n < indices.length; n++) {
      const value = values[n]!;
      const row = indices[n]! * width;
      for (let j = 0; j < width; j++) into[j]! += value * weights[row + j]!;
    }
    for (let j = 0; j < width; j++) if (into[j]! < 0) into[j] = 0;
    return into;
  }

  /** Raw class scores (logits) of one input. */
  logits(input: SparseInput): Float64Array {
    return this.logitsOfHidden(this.hidden(input));
  }

  /** Softmax class probabilities of one input. */
  probabilities(input: SparseInput): Float64Array {
    return softmax(this.logits(input));
  }

  /** Raw class scores from hidden activations. */
  logitsOfHidden(hidden: Float32Array): Float64Array {
    const classes = this.classes;
    const out = Float64Array.from(this.outputBias);
    const weights = this.outputWeights;
    for (let j = 0; j < this.hiddenUnits; j++) {
      const h = hidden[j]!;
      if (h === 0) continue;
      const row = j * classes;
      for (let c = 0; c < classes; c++) out[c]! += h * weights[row + c]!;
    }
    return out;
  }

  /** JSON-safe state (weights as base64 float32). */
  toState(): WideMlpState {
    return {
      kind: "wide-mlp",
      inputDimension: this.inputDimension,
      hiddenUnits: this.hiddenUnits,
      classes: this.classes,
      inputWeights: float32ToBase64(this.inputWeights),
      hiddenBias: float32ToBase64(this.hiddenBias),
      outputWeights: float32ToBase64(this.outputWeights),
      outputBias: float32ToBase64(this.outputBias),
    };
  }

  /** Rebuilds a model from {@link WideMlp.toState}; throws `invalid_artifact` when sizes disagree. */
  static fromState(state: unknown): WideMlp {
    const parsed = wideMlpStateSchema.safeParse(state);
    if (!parsed.success) throw new SwitchyardError("invalid_artifact", `wide-mlp state is invalid at ${parsed.error.issues[0]?.path.join(".") || "(root)"}: ${parsed.error.issues[0]?.message ?? "unknown"}`);
    const { inputDimension, hiddenUnits, classes } = parsed.data;
    const model = new WideMlp({
      inputDimension,
      hiddenUnits,
      classes,
      inputWeights: float32FromBase64(parsed.data.inputWeights),
      hiddenBias: float32FromBase64(parsed.data.hiddenBias),
      outputWeights: float32FromBase64(parsed.data.outputWeights),
      outputBias: float32FromBase64(parsed.data.outputBias),
    });
    if (model.inputWeights.length !== inputDimension * hiddenUnits || model.hiddenBias.length !== hiddenUnits || model.outputWeights.length !== hiddenUnits * classes || model.outputBias.length !== classes) {
      throw new SwitchyardError("invalid_artifact", "wide-mlp state has weight arrays whose sizes do not match its dimensions");
    }
    return model;
  }
}

const wideMlpStateSchema = z.object({
  kind: z.literal("wide-mlp"),
  inputDimension: z.number().int().positive(),
  hiddenUnits: z.number().int().positive(),
  classes: z.number().int().min(2),
  inputWeights: z.string(),
  hiddenBias: z.string(),
  outputWeights: z.string(),
  outputBias: z.string(),
});

/** JSON-safe state of a {@link WideMlp}. */
export type WideMlpState = z.infer<typeof wideMlpStateSchema>;

/** Numerically stable softmax. */
export function softmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Gaussian draw (Box–Muller) from a uniform source. */
function gaussian(random: Random): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * Trains a {@link WideMlp} with weighted softmax cross-entropy and Adam (Kingma & Ba, 2015); the sparse
 * input layer is updated lazily (only rows whose features occur in the batch), as TensorFlow's LazyAdam
 * does, so an epoch costs about `Σ nonZeros × hiddenUnits`. Deterministic for a given `random`.
 */
export function trainWideMlp(inputs: readonly SparseInput[], labels: ArrayLike<number>, options: { inputDimension: number; classes: number } & WideMlpTrainOptions): WideMlp {
  const { inputDimension, classes, hiddenUnits: width, random } = options;
  if (inputs.length !== labels.length) throw new Error(`trainWideMlp: ${inputs.length} inputs but ${labels.length} labels`);
  const model = new WideMlp({
    inputDimension,
    hiddenUnits: width,
    classes,
    inputWeights: new Float32Array(inputDimension * width),
    hiddenBias: new Float32Array(width),
    outputWeights: new Float32Array(width * classes),
    outputBias: new Float32Array(classes),
  });
  // Inputs are unit-length TF-IDF rows, so a small Gaussian keeps the first hidden layer in ReLU's linear part.
  const inputScale = 0.1;
  for (let i = 0; i < model.inputWeights.length; i++) model.inputWeights[i] = gaussian(random) * inputScale;
  const outputScale = Math.sqrt(2 / (width + classes));
  for (let i = 0; i < model.outputWeights.length; i++) model.outputWeights[i] = gaussian(random) * outputScale;

  const inputMoment1 = new Float32Array(model.inputWeights.length);
  const inputMoment2 = new Float32Array(model.inputWeights.length);
  const dense = [model.hiddenBias, model.outputWeights, model.outputBias];
  const denseMoment1 = dense.map((array) => new Float32Array(array.length));
  const denseMoment2 = dense.map((array) => new Float32Array(array.length));
  const denseGradient = dense.map((array) => new Float64Array(array.length));
  const [hiddenBiasGradient, outputWeightsGradient, outputBiasGradient] = denseGradient as [Float64Array, Float64Array, Float64Array];

  const rowGradient = new Map<number, Float64Array>();
  const spareRows: Float64Array[] = [];
  const hidden = new Float32Array(width);
  const preActivation = new Float32Array(width);
  const mask = new Float32Array(width);
  const hiddenGradient = new Float64Array(width);
  const keep = 1 - options.dropout;
  const order = Array.from({ length: inputs.length }, (_, i) => i);
  let step = 0;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (let start = 0; start < order.length; start += options.batchSize) {
      const end = Math.min(order.length, start + options.batchSize);
      for (const gradient of denseGradient) gradient.fill(0);
      for (const row of rowGradient.values()) spareRows.push(row);
      rowGradient.clear();
      let batchWeight = 0;
      for (let b = start; b < end; b++) {
        const index = order[b]!;
        const input = inputs[index]!;
        const label = labels[index]!;
        const weight = (options.classWeights?.[label] ?? 1) * (options.exampleWeights?.[index] ?? 1);
        batchWeight += weight;
        model.hidden(input, preActivation);
        for (let j = 0; j < width; j++) {
          const active = preActivation[j]! > 0 && (keep >= 1 || random() < keep);
          mask[j] = active ? 1 / keep : 0;
          hidden[j] = preActivation[j]! * mask[j]!;
        }
        const probabilities = softmax(model.logitsOfHidden(hidden));
        probabilities[label]! -= 1;
        for (let c = 0; c < classes; c++) {
          const g = probabilities[c]! * weight;
          probabilities[c] = g;
          outputBiasGradient[c]! += g;
        }
        hiddenGradient.fill(0);
        for (let j = 0; j < width; j++) {
          const h = hidden[j]!;
          const row = j * classes;
          let sum = 0;
          for (let c = 0; c < classes; c++) {
            const g = probabilities[c]!;
            if (h !== 0) outputWeightsGradient[row + c]! += h * g;
            sum += model.outputWeights[row + c]! * g;
          }
          hiddenGradient[j] = sum * mask[j]!;
          hiddenBiasGradient[j]! += hiddenGradient[j]!;
        }
        for (let n = 0; n < input.indices.length; n++) {
          const feature = input.indices[n]!;
          let row = rowGradient.get(feature);
          if (!row) {
            row = spareRows.pop()?.fill(0) ?? new Float64Array(width);
            rowGradient.set(feature, row);
          }
          const value = input.values[n]!;
          for (let j = 0; j < width; j++) row[j]! += value * hiddenGradient[j]!;
        }
      }
      step++;
      const scale = 1 / Math.max(batchWeight, 1e-12);
      const correction1 = 1 - BETA1 ** step;
      const correction2 = 1 - BETA2 ** step;
      const rate = (options.learningRate * Math.sqrt(correction2)) / correction1;
      dense.forEach((parameters, k) => adamUpdate({ parameters, moment1: denseMoment1[k]!, moment2: denseMoment2[k]!, offset: 0 }, denseGradient[k]!, scale, rate));
      const inputLayer = { parameters: model.inputWeights, moment1: inputMoment1, moment2: inputMoment2, offset: 0 };
      for (const [feature, row] of rowGradient) {
        inputLayer.offset = feature * width;
        adamUpdate(inputLayer, row, scale, rate);
      }
    }
  }
  return model;
}

/** One Adam step on `gradient.length` parameters starting at `offset` (the gradient is scaled by `scale` first). */
function adamUpdate(layer: { parameters: Float32Array; moment1: Float32Array; moment2: Float32Array; offset: number }, gradient: Float64Array, scale: number, rate: number): void {
  const { parameters, moment1, moment2, offset } = layer;
  for (let k = 0; k < gradient.length; k++) {
    const g = gradient[k]! * scale;
    const p = offset + k;
    const m = BETA1 * moment1[p]! + (1 - BETA1) * g;
    const v = BETA2 * moment2[p]! + (1 - BETA2) * g * g;
    moment1[p] = m;
    moment2[p] = v;
    parameters[p]! -= (rate * m) / (Math.sqrt(v) + EPSILON);
  }
}
