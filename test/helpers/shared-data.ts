import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of `../shared/data` beside the repository (present on CI, maybe absent in a user's clone). */
export const sharedDataDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../shared/data");

/**
 * Path of a file under `../shared/data`, or a `skip` reason for node:test when it is absent.
 *
 * @example
 * const { path, skip } = sharedData("dcrouter/dataset.jsonl");
 * test("reads dcrouter", { skip }, () => { ... path ... });
 */
export function sharedData(relativePath: string): { path: string; skip: string | false } {
  const path = join(sharedDataDir, relativePath);
  return { path, skip: existsSync(path) ? false : `../shared/data/${relativePath} is absent (a clone without the shared data)` };
}
