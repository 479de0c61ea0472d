import { homedir } from "node:os";
import { join, resolve } from "node:path";

/** Where an embedder keeps its caches when nothing overrides it. */
export interface CacheDirectoryOptions {
  /** Explicit directory (an embedder option); wins over the environment. */
  cacheDir?: string;
  /** Environment to read `SWITCHYARD_CACHE_DIR` from (defaults to `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The cache directory: the `cacheDir` option, else `$SWITCHYARD_CACHE_DIR`, else `~/.cache/switchyard`.
 * Only computes the path; callers create it when they first write.
 *
 * @example
 * resolveCacheDirectory({ cacheDir: "/tmp/x" }); // "/tmp/x"
 */
export function resolveCacheDirectory(options: CacheDirectoryOptions = {}): string {
  if (options.cacheDir) return resolve(options.cacheDir);
  const fromEnvironment = (options.env ?? process.env).SWITCHYARD_CACHE_DIR;
  if (fromEnvironment) return resolve(fromEnvironment);
  return join(homedir(), ".cache", "switchyard");
}
