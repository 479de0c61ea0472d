/** A command-line usage error: the CLI prints its message on one line and exits with status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses a number option, or throws a {@link UsageError} naming the flag. */
export function parseNumberOption(flag: string, value: string, range?: { min?: number; max?: number; integer?: boolean }): number {
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number)) throw new UsageError(`${flag} must be a number, got ${JSON.stringify(value)}`);
  if (range?.integer && !Number.isInteger(number)) throw new UsageError(`${flag} must be a whole number, got ${value}`);
  if (range?.min !== undefined && number < range.min) throw new UsageError(`${flag} must be ≥ ${range.min}, got ${value}`);
  if (range?.max !== undefined && number > range.max) throw new UsageError(`${flag} must be ≤ ${range.max}, got ${value}`);
  return number;
}

/** Splits a comma-separated list option, rejecting empty items. */
export function parseListOption(flag: string, value: string): string[] {
  const items = value.split(",").map((item) => item.trim());
  if (items.length === 0 || items.some((item) => item === "")) throw new UsageError(`${flag} must be a comma-separated list without empty items, got ${JSON.stringify(value)}`);
  return items;
}
