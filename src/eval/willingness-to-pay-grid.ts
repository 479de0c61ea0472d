import { formatG } from "./format-g.js";
import type { OutcomeMatrix } from "./outcome-matrix.js";

/** Options for {@link willingnessToPayGrid}. */
export interface WillingnessToPayGridOptions {
  /** Log-spaced values after the leading 0 (default 60). */
  count?: number;
  /** The smallest value is `lowFactor ×` the smallest positive true cost (default 1e-3). */
  lowFactor?: number;
  /** The largest value is `highFactor ×` the largest true cost (default 1e3). */
  highFactor?: number;
}

/**
 * The willingness-to-pay grid (USD per unit of quality) every router is swept over: 0, then `count`
 * log-spaced values from `lowFactor × min positive true cost` to `highFactor × max true cost` over all test
 * examples and models. A router switches between two models where `wtp = Δcost / Δquality`; with quality
 * differences in (0, 1] that lies within [Δcost, Δcost / Δquality], so this span covers every switch for
 * quality differences down to 1/`highFactor`. Each value is rounded to 3 significant digits so that its
 * label (`wtp=<%.3g>`) is exactly the value used. The grid depends only on the test set's true costs, so
 * every router in one evaluation shares the same labels. With no positive cost at all it spans [1e-6, 1].
 */
export function willingnessToPayGrid(truth: OutcomeMatrix, options: WillingnessToPayGridOptions = {}): number[] {
  const count = Math.max(2, Math.trunc(options.count ?? 60));
  let minPositive = Infinity;
  let max = 0;
  for (const row of truth.costUsd) {
    for (const cost of row) {
      if (cost > 0 && cost < minPositive) minPositive = cost;
      if (cost > max) max = cost;
    }
  }
  const low = Number.isFinite(minPositive) ? minPositive * (options.lowFactor ?? 1e-3) : 1e-6;
  const high = max > 0 ? max * (options.highFactor ?? 1e3) : 1;
  const grid = [0];
  for (let i = 0; i < count; i++) {
    const value = Number(formatG(low * Math.pow(high / low, i / (count - 1))));
    if (value > (grid[grid.length - 1] ?? 0)) grid.push(value);
  }
  return grid;
}

/** The label of a willingness-to-pay point: `wtp=<value in %.3g>`. */
export function willingnessToPayLabel(willingnessToPay: number): string {
  return `wtp=${formatG(willingnessToPay)}`;
}
