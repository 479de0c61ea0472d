/** Rough cost of one Adam update of one parameter, in multiply-add equivalents (moments, square root, division). */
export const ADAM_UPDATE_COST = 4;

/**
 * How many epochs fit in `workBudget` multiply-adds when one costs `epochCost`: at least 1, at most
 * `maxEpochs`. Capping by counted work rather than by wall time keeps training deterministic.
 */
export function epochsWithinBudget(options: { workBudget: number; epochCost: number; maxEpochs: number }): number {
  const affordable = options.epochCost > 0 ? Math.floor(options.workBudget / options.epochCost) : options.maxEpochs;
  return Math.max(1, Math.min(options.maxEpochs, affordable));
}

/** Non-zeros of the listed rows of a CSR matrix. */
export function nonZerosOf(offsets: Int32Array, rows: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < rows.length; i++) total += offsets[rows[i]! + 1]! - offsets[rows[i]!]!;
  return total;
}
