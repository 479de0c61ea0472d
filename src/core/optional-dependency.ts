import { createRequire } from "node:module";
import { SwitchyardError } from "./errors.js";

const require = createRequire(import.meta.url);

/**
 * Imports an optional npm package (a peer dependency a default install leaves out), turning "not
 * installed" into a `missing_dependency` error that names the package and how to install it.
 * `load` must be a literal `import("…")`, so that TypeScript still checks the package's types.
 *
 * @example
 * const ort = await importOptional(["onnxruntime-node"], "the onnx embedder", () => import("onnxruntime-node"));
 */
export async function importOptional<T>(packages: readonly string[], feature: string, load: () => Promise<T>, alternative?: string): Promise<T> {
  try {
    return await load();
  } catch (cause) {
    if (isModuleNotFound(cause, packages)) throw missingDependencyError(packages, feature, cause, alternative);
    throw cause;
  }
}

/**
 * The synchronous twin of {@link importOptional} for CommonJS packages used from synchronous factories
 * (better-sqlite3). Import the package's types with `import type` beside it.
 *
 * @example
 * const Database = requireOptional<typeof BetterSqlite3>("better-sqlite3", "The sqlite store", "or set store.kind: memory");
 */
export function requireOptional<T>(name: string, feature: string, alternative?: string): T {
  try {
    return require(name) as T;
  } catch (cause) {
    if (isModuleNotFound(cause, [name])) throw missingDependencyError([name], feature, cause, alternative);
    throw cause;
  }
}

/** The `missing_dependency` error for `feature`, naming every package it needs (and, if any, what to do instead). */
export function missingDependencyError(packages: readonly string[], feature: string, cause?: unknown, alternative?: string): SwitchyardError {
  const list = packages.join(" ");
  return new SwitchyardError(
    "missing_dependency",
    `${feature} needs the optional npm package${packages.length > 1 ? "s" : ""} ${packages.join(", ")}, which a default install leaves out; install ${packages.length > 1 ? "them" : "it"} with \`npm install ${list}\`${alternative ? `, ${alternative}` : ""}`,
    { cause },
  );
}

/** True when `error` says one of `packages` could not be found (ESM or CommonJS resolution). */
export function isModuleNotFound(error: unknown, packages: readonly string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") return false;
  const message = error instanceof Error ? error.message : String(error);
  return packages.some((name) => message.includes(`'${name}'`) || message.includes(`"${name}"`) || message.includes(`${name}/`));
}
