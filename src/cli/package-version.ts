import { readFileSync } from "node:fs";

/** The package's version, read from its package.json (two levels up from both `src/cli` and `dist/cli`). */
export function packageVersion(): string {
  const packageJson = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version?: string };
  return packageJson.version ?? "unknown";
}
