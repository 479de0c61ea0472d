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
