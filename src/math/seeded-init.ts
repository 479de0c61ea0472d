import type { Random } from "../core/random.js";

/** One draw from the standard normal distribution (Box–Muller on two draws of `random`). */
export function standardNormal(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Fills `target` with N(0, std²) draws from `random` (seeded weight initialisation). */
export function fillNormal(target: Float32Array | Float64Array, random: Random, std: number): void {
  for (let i = 0; i < target.length; i++) target[i] = std * standardNormal(random);
}

/** Fills `target` with U(−bound, bound) draws from `random` (Glorot/He uniform initialisation). */
export function fillUniform(target: Float32Array | Float64Array, random: Random, bound: number): void {
  for (let i = 0; i < target.length; i++) target[i] = (2 * random() - 1) * bound;
}

/** The indices 0 … n − 1 shuffled by Fisher–Yates with draws from `random`. */
export function shuffledIndices(n: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  shuffleInPlace(order, random);
  return order;
}

/** Shuffles `order` in place (Fisher–Yates with draws from `random`). */
export function shuffleInPlace(order: Int32Array, random: Random): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
}

/** A seeded split of 0 … n − 1 into a training part and a held-out part of `round(n × fraction)` indices (each sorted). */
export function holdOutSplit(n: number, fraction: number, random: Random): { train: Int32Array; heldOut: Int32Array } {
  const order = shuffledIndices(n, random);
  const heldOutCount = Math.min(n, Math.max(0, Math.round(n * fraction)));
  const heldOut = order.slice(0, heldOutCount).sort();
  const train = order.slice(heldOutCount).sort();
  return { train, heldOut };
}
