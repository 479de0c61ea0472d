import { SwitchyardError } from "../core/errors.js";

/**
 * Weights as a plain JSON-safe number array, each rounded to 7 significant digits (about float32
 * precision). Routers keep these rounded values as their weights too, so a router rebuilt from its state
 * predicts exactly what the trained one did.
 */
export function toStateArray(values: ArrayLike<number>): number[] {
  const result = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) result[i] = roundForState(values[i]!);
  return result;
}

/** `value` rounded to 7 significant digits (0 for non-finite input). */
export function roundForState(value: number): number {
  if (!Number.isFinite(value) || value === 0) return 0;
  return Number(value.toPrecision(7));
}

/**
 * Reads a state field that must be an array of `length` finite numbers into a Float32Array; anything
 * else is an `invalid_artifact` error naming the router kind and field.
 */
export function readStateArray(value: unknown, length: number, where: string): Float32Array {
  if (!Array.isArray(value)) throw new SwitchyardError("invalid_artifact", `${where}: expected an array of numbers`);
  if (value.length !== length) throw new SwitchyardError("invalid_artifact", `${where}: expected ${length} numbers, got ${value.length}`);
  const result = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    const item: unknown = value[i];
    if (typeof item !== "number" || !Number.isFinite(item)) throw new SwitchyardError("invalid_artifact", `${where}[${i}]: expected a finite number`);
    result[i] = item;
  }
  return result;
}
