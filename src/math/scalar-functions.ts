/** Logistic function σ(x) = 1 / (1 + e^−x), computed without overflow. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Inverse of {@link sigmoid} for p clamped into [ε, 1 − ε]. */
export function logit(p: number, epsilon = 1e-4): number {
  const q = Math.min(1 - epsilon, Math.max(epsilon, p));
  return Math.log(q / (1 - q));
}

/** `x` clipped into [0, 1]; NaN becomes 0. */
export function clamp01(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}

/** −log σ(x) (the loss of a logit x for a positive label), stable for large |x|. */
export function softplusNegative(x: number): number {
  return x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
}

/** Binary cross-entropy of logit `z` against a (possibly soft) target `y` in [0, 1]. */
export function binaryCrossEntropyWithLogit(z: number, y: number): number {
  return y * softplusNegative(z) + (1 - y) * softplusNegative(-z);
}
