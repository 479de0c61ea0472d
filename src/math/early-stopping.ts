import type { Random } from "../core/random.js";
import { shuffleInPlace } from "./seeded-init.js";

/** Hooks {@link trainWithEarlyStopping} drives. */
export interface EarlyStoppingOptions {
  maxEpochs: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  /** One pass over the training rows. */
  runEpoch(epoch: number): void;
  /** Loss on the held-out rows, or null when there are none (then every epoch runs and the last weights are kept). */
  validationLoss(): number | null;
  /** Remembers the current weights as the best so far. */
  snapshot(): void;
  /** Puts the remembered weights back. */
  restore(): void;
}

/** What happened during training. */
export interface EarlyStoppingReport {
  epochsRun: number;
  bestEpoch: number;
  bestValidationLoss: number | null;
}

/**
 * Runs epochs until the validation loss has not improved for `patience` epochs (or `maxEpochs` ran),
 * then restores the weights of the best epoch (Prechelt, "Early Stopping — But When?", 1998).
 */
export function trainWithEarlyStopping(options: EarlyStoppingOptions): EarlyStoppingReport {
  let best = Infinity;
  let bestEpoch = 0;
  let sinceBest = 0;
  let epochsRun = 0;
  let validated = false;
  for (let epoch = 1; epoch <= options.maxEpochs; epoch++) {
    options.runEpoch(epoch);
    epochsRun = epoch;
    const loss = options.validationLoss();
    if (loss === null) continue;
    validated = true;
    if (loss < best - 1e-9) {
      best = loss;
      bestEpoch = epoch;
      sinceBest = 0;
      options.snapshot();
    } else if (++sinceBest >= options.patience) {
      break;
    }
  }
  if (validated && bestEpoch > 0 && bestEpoch !== epochsRun) options.restore();
  return { epochsRun, bestEpoch: validated ? bestEpoch : epochsRun, bestValidationLoss: validated ? best : null };
}

/** Options of {@link trainMiniBatches}. */
export interface MiniBatchTrainingOptions<W extends object> {
  maxEpochs: number;
  patience: number;
  /** Training row order, reshuffled in place every epoch. */
  order: Int32Array;
  batchSize: number;
  random: Random;
  /** One optimiser step on `order[start..end)`. */
  step(start: number, end: number): void;
  validationLoss(): number | null;
  /** The weights being trained (restored in place to the best epoch's). */
  weights: W;
  /** A deep copy of a weights object. */
  copy(weights: W): W;
}

/**
 * Shuffled mini-batch epochs under {@link trainWithEarlyStopping}, keeping a copy of the best epoch's
 * weights and putting it back at the end — the loop the MLP and matrix-factorization routers share.
 */
export function trainMiniBatches<W extends object>(options: MiniBatchTrainingOptions<W>): EarlyStoppingReport {
  const { order, batchSize, random, step, weights, copy } = options;
  let best: W | null = null;
  return trainWithEarlyStopping({
    maxEpochs: options.maxEpochs,
    patience: options.patience,
    runEpoch: () => {
      shuffleInPlace(order, random);
      for (let start = 0; start < order.length; start += batchSize) step(start, Math.min(order.length, start + batchSize));
    },
    validationLoss: options.validationLoss,
    snapshot: () => {
      best = copy(weights);
    },
    restore: () => {
      if (best) Object.assign(weights, copy(best));
    },
  });
}
