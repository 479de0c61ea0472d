import { choleskyFactor, choleskySolve } from "../../math/cholesky.js";

/** JSON-safe state of one {@link ArmModel}: the (discounted) Gram matrix's upper triangle and response vector. */
export interface ArmModelState {
  /** Upper triangle of A (row by row, diagonal included), the ridge included. */
  gram: number[];
  /** b = Σ w·r·x. */
  response: number[];
  /** The ridge still on each diagonal entry of A (λ, decayed by the discount since its last top-up). */
  ridge: number[];
  /** Discounted number of observations. */
  observations: number;
  /**
   * The diagonal entry the next `topUp` restores: without it a router rebuilt from its state tops up
   * another entry than the live one would, and a restart (snapshot + replayed updates) diverges.
   */
  cursor?: number;
}

/**
 * Once the scale s has shrunk below this since the last re-inversion, it is folded back into B, B⁻¹ and b̃
 * and B⁻¹ is recomputed from B (Cholesky, O(p³)). Why: the Sherman–Morrison updates' rounding errors in
 * B⁻¹ are absolute, of the size B⁻¹ had when they were made, while the true B⁻¹ shrinks with s (B grows as
 * 1/s) — the relative error grows as 1/s, the known instability of recursive least squares with forgetting.
 * At γ 0.99 it reached 100 % after ~3,700 steps and the posterior means ran off to ±1e22 (BENCHMARKS.md,
 * "Online learning: MMLU diagnosis"). Re-inverting whenever s < 1e-4 (every ~920 steps at γ 0.99) bounds
 * the growth at 1e4 × the rounding error; its O(p³) is ~p/900 of an update's O(p²) work when amortised.
 */
const RESCALE_BELOW = 1e-4;

/** The non-zeros of one feature vector: `count` entries of `indices` (ascending) and `values`. */
export interface FeatureEntries {
  indices: Int32Array;
  values: Float32Array;
  count: number;
}

/**
 * A discounted Bayesian ridge regression of one target's reward on the features — the statistics of one
 * arm of a linear bandit: A = γ-discounted Σ x xᵀ + ridge, b = γ-discounted Σ r x, θ = A⁻¹ b.
 *
 * A⁻¹ is kept up to date by Sherman–Morrison rank-1 updates (O(p²) per observation, no inversion on the
 * request path). The discount (D-LinUCB, Russac et al., 2019: A ← γA, b ← γb at every step) is a scalar:
 * A = s·B is stored as B, B⁻¹ and b̃ = b/s, so `discount()` only multiplies `s` (O(1)); θ = B⁻¹ b̃ does not
 * depend on s. The ridge decays with the rest of A; `topUp()` restores it on one diagonal entry per call,
 * round robin — A += (λ − its decayed ridge)·e_j e_jᵀ is itself a rank-1 Sherman–Morrison update (O(p²)),
 * so with one top-up per step every entry's ridge stays within [γ^p·λ, λ]: A never becomes singular,
 * widths stay bounded, and no step pays for a re-inversion.
 */
export class ArmModel {
  readonly dimension: number;
  private readonly lambda: number;
  /** B, row-major p × p (symmetric). */
  private readonly gram: Float64Array;
  /** B⁻¹, row-major p × p (symmetric). */
  private readonly inverse: Float64Array;
  /** b̃ = b / s. */
  private readonly response: Float64Array;
  /** θ = B⁻¹ b̃, kept current after every update. */
  private readonly theta: Float64Array;
  /** The ridge on each diagonal entry of B (A's is s times it). */
  private readonly ridge: Float64Array;
  private readonly scratch: Float64Array;
  private scale = 1;
  private cursor = 0;
  /** Re-inversions of B⁻¹ from B so far (see RESCALE_BELOW). */
  reinversions = 0;
  private observationCount = 0;

  constructor(dimension: number, lambda: number, state?: ArmModelState) {
    this.dimension = dimension;
    this.lambda = lambda;
    const p = dimension;
    this.gram = new Float64Array(p * p);
    this.inverse = new Float64Array(p * p);
    this.response = new Float64Array(p);
    this.theta = new Float64Array(p);
    this.ridge = new Float64Array(p);
    this.scratch = new Float64Array(p);
    if (state) {
      let at = 0;
      for (let i = 0; i < p; i++) {
        for (let j = i; j < p; j++) {
          const value = state.gram[at++]!;
          this.gram[i * p + j] = value;
          this.gram[j * p + i] = value;
        }
      }
      this.response.set(state.response);
      this.ridge.set(state.ridge);
      this.observationCount = state.observations;
      this.cursor = state.cursor ?? 0;
      this.reinvert();
    } else {
      this.reset();
    }
  }

  /** Discounted number of observations (a measure of how much this arm has been seen lately). */
  get observations(): number {
    return this.observationCount;
  }

  /** Posterior mean xᵀθ. */
  mean(x: FeatureEntries): number {
    let sum = 0;
    for (let a = 0; a < x.count; a++) sum += x.values[a]! * this.theta[x.indices[a]!]!;
    return sum;
  }

  /** xᵀA⁻¹x = xᵀB⁻¹x / s: the posterior variance of the mean (in units of the noise variance). */
  variance(x: FeatureEntries): number {
    const p = this.dimension;
    let sum = 0;
    for (let a = 0; a < x.count; a++) {
      const row = x.indices[a]! * p;
      const va = x.values[a]!;
      let inner = 0;
      for (let c = 0; c < x.count; c++) inner += this.inverse[row + x.indices[c]!]! * x.values[c]!;
      sum += va * inner;
    }
    return Math.max(0, sum) / this.scale;
  }

  /** Adds one observation (reward `target` at features x) with weight 1. */
  update(x: FeatureEntries, target: number): void {
    const p = this.dimension;
    // In B's units the new row is x/√s: B += x xᵀ / s, b̃ += r x / s.
    const inverseScale = 1 / this.scale;
    for (let a = 0; a < x.count; a++) {
      const ia = x.indices[a]!;
      const va = x.values[a]! * inverseScale;
      this.response[ia]! += target * va;
      for (let c = 0; c < x.count; c++) this.gram[ia * p + x.indices[c]!]! += va * x.values[c]!;
    }
    // Sherman–Morrison: B⁻¹ ← B⁻¹ − (B⁻¹x)(B⁻¹x)ᵀ / (s + xᵀB⁻¹x).
    const u = this.scratch;
    u.fill(0);
    for (let a = 0; a < x.count; a++) {
      const column = x.indices[a]!;
      const value = x.values[a]!;
      for (let i = 0; i < p; i++) u[i]! += this.inverse[i * p + column]! * value;
    }
    let quadratic = 0;
    for (let a = 0; a < x.count; a++) quadratic += x.values[a]! * u[x.indices[a]!]!;
    this.rankOneDowndate(u, 1 / (this.scale + quadratic));
    this.observationCount += 1;
    this.solveTheta();
  }

  /** Discounts everything seen so far by γ (A ← γA, b ← γb), the ridge included (see {@link topUp}). */
  discount(gamma: number): void {
    if (gamma >= 1) return;
    this.scale *= gamma;
    this.observationCount *= gamma;
    if (this.scale < RESCALE_BELOW) {
      this.normalize();
      this.reinvert();
      this.reinversions++;
    }
  }

  /**
   * Delays this arm's re-inversions by `phase` ∈ [0, 1) of their period (A unchanged: only the split
   * A = s·B moves, s to ≈ RESCALE_BELOW^−phase). A router's arms are discounted together, so without it they
   * would all pay their O(p³) on the same update (12 targets at p = 130: ≈ 40 ms at once); staggered, each
   * update pays at most about one arm's.
   */
  staggerReinversion(phase: number): void {
    // A power of two, so moving the split is exact (no rounding of B, B⁻¹, b̃).
    const target = 2 ** Math.round(-Math.log2(RESCALE_BELOW) * Math.min(Math.max(phase, 0), 0.999));
    const factor = target / this.scale;
    for (let i = 0; i < this.gram.length; i++) {
      this.gram[i]! /= factor;
      this.inverse[i]! *= factor;
    }
    for (let i = 0; i < this.response.length; i++) {
      this.response[i]! /= factor;
      this.ridge[i]! /= factor;
    }
    this.scale = target;
  }

  /** Restores the decayed ridge of the next diagonal entry (round robin) to λ: one rank-1 update, O(p²). */
  topUp(): void {
    const p = this.dimension;
    const j = this.cursor;
    this.cursor = (j + 1) % p;
    const missing = (this.lambda - this.scale * this.ridge[j]!) / this.scale;
    if (!(missing > 0)) return;
    this.gram[j * p + j]! += missing;
    this.ridge[j]! += missing;
    const u = this.scratch;
    for (let i = 0; i < p; i++) u[i] = this.inverse[i * p + j]!;
    const factor = missing / (1 + missing * u[j]!);
    // θ = B⁻¹b̃ changes by −factor·u·θ_j (uᵀb̃ = θ_j since B⁻¹ is symmetric): O(p), no re-solve.
    const thetaJ = this.theta[j]!;
    for (let i = 0; i < p; i++) this.theta[i]! -= factor * u[i]! * thetaJ;
    this.rankOneDowndate(u, factor);
  }

  /** A = s·B as the stored state (upper triangle). */
  toState(): ArmModelState {
    const p = this.dimension;
    const gram: number[] = [];
    for (let i = 0; i < p; i++) for (let j = i; j < p; j++) gram.push(this.gram[i * p + j]! * this.scale);
    return {
      gram,
      response: Array.from(this.response, (value) => value * this.scale),
      ridge: Array.from(this.ridge, (value) => value * this.scale),
      observations: this.observationCount,
      cursor: this.cursor,
    };
  }

  /** B⁻¹ ← B⁻¹ − factor·u uᵀ. */
  private rankOneDowndate(u: Float64Array, factor: number): void {
    const p = this.dimension;
    for (let i = 0; i < p; i++) {
      const ui = u[i]! * factor;
      if (ui === 0) continue;
      const row = i * p;
      for (let j = 0; j < p; j++) this.inverse[row + j]! -= ui * u[j]!;
    }
  }

  /** Folds the scale into B, B⁻¹, b̃ and the ridge (s = 1). */
  private normalize(): void {
    const s = this.scale;
    for (let i = 0; i < this.gram.length; i++) {
      this.gram[i]! *= s;
      this.inverse[i]! /= s;
    }
    for (let i = 0; i < this.response.length; i++) {
      this.response[i]! *= s;
      this.ridge[i]! *= s;
    }
    this.scale = 1;
  }

  private reset(): void {
    const p = this.dimension;
    this.gram.fill(0);
    this.inverse.fill(0);
    this.response.fill(0);
    this.theta.fill(0);
    for (let i = 0; i < p; i++) {
      this.gram[i * p + i] = this.lambda;
      this.inverse[i * p + i] = 1 / this.lambda;
      this.ridge[i] = this.lambda;
    }
    this.scale = 1;
    this.observationCount = 0;
  }

  private reinvert(): void {
    const p = this.dimension;
    const factor = choleskyFactor(this.gram, p);
    if (factor === null) {
      // A stored state that is not positive definite (hand-edited): start the arm from its prior rather than fail.
      this.reset();
      return;
    }
    const identity = new Float64Array(p * p);
    for (let i = 0; i < p; i++) identity[i * p + i] = 1;
    this.inverse.set(choleskySolve(factor, p, identity, p));
    this.solveTheta();
  }

  private solveTheta(): void {
    const p = this.dimension;
    for (let i = 0; i < p; i++) {
      let sum = 0;
      const row = i * p;
      for (let j = 0; j < p; j++) sum += this.inverse[row + j]! * this.response[j]!;
      this.theta[i] = sum;
    }
  }
}
