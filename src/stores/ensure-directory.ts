import { accessSync, constants, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Creates `directory` and its missing parents one level at a time, after checking that the deepest
 * existing ancestor is a writable directory. Node's `mkdirSync(…, { recursive: true })` spins forever
 * on some unwritable trees (under `/proc`, for one); this throws at once instead, with a message that
 * names the directory and why (`not a directory`, `not writable`, the system's error code).
 */
export function ensureDirectory(directory: string): void {
  const missing: string[] = [];
  let existing = directory;
  for (;;) {
    try {
      const stat = statSync(existing);
      if (!stat.isDirectory()) throw new Error(`${existing} is not a directory`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      missing.push(existing);
      const parent = dirname(existing);
      if (parent === existing) throw new Error(`no part of ${directory} exists`);
      existing = parent;
    }
  }
  if (missing.length === 0) return;
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    throw new Error(`cannot create ${missing.at(-1)}: ${existing} is not writable`);
  }
  for (const level of missing.reverse()) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`cannot create ${level} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }
}
