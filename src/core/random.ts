/** A seeded source of uniform numbers in [0, 1), like `Math.random` but reproducible. */
export type Random = () => number;

/**
 * A small, fast seeded PRNG (mulberry32, Tommy Ettinger's 32-bit generator): the same seed always gives
 * the same sequence, on every platform. Not for cryptography. Every random draw in Switchyard (splits,
 * training, exploration) comes from one of these, passed in by the caller.
 *
 * @example
 * const random = createRandom(42);
 * const coin = random() < 0.5;
 */
export function createRandom(seed: number): Random {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A shuffled copy of `items` (Fisher–Yates with draws from `random`); the input is left as it is. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const result = items.slice();
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = result[i] as T;
    result[i] = result[j] as T;
    result[j] = swap;
  }
  return result;
}
