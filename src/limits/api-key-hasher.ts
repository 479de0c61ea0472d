import { createHash, randomBytes as cryptoRandomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { SwitchyardError } from "../core/errors.js";

/** Name of the environment variable that can hold the key pepper. */
export const pepperEnvironmentVariable = "SWITCHYARD_KEY_PEPPER";

/** Hashes API keys for storage and lookup. */
export interface ApiKeyHasher {
  /** Hex sha256 of the pepper followed by the key. */
  hash(key: string): string;
}

/**
 * Keys are stored as `sha256(pepper ‖ key)`. The keys are 190-bit random strings, so a fast hash is
 * enough (there is nothing to brute-force, unlike passwords); the per-install pepper, kept outside
 * the database, means a leaked database alone does not even allow checking a guessed key.
 */
export function createApiKeyHasher(pepper: string): ApiKeyHasher {
  if (pepper.length < 16) throw new SwitchyardError("invalid_config", "The key pepper must be at least 16 characters", { param: "keys.pepper" });
  const prefix = createHash("sha256").update(pepper);
  return { hash: (key) => prefix.copy().update(key).digest("hex") };
}

/** Where {@link loadPepper} looks for the pepper. */
export interface LoadPepperOptions {
  /** Explicit pepper (configuration option `keys.pepper`). */
  pepper?: string;
  /** Environment to read `SWITCHYARD_KEY_PEPPER` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** File holding the pepper; created with a random pepper (mode 0600) when missing. */
  path?: string;
  /** Source of random bytes for a new pepper (default `crypto.randomBytes`). */
  randomBytes?: (size: number) => Buffer;
}

/**
 * The per-install pepper: the option, else `SWITCHYARD_KEY_PEPPER`, else the pepper file (created on
 * first use next to the store so the CLI and the gateway agree). Without any of them it is an error
 * naming all three. Processes that start together (`serve --workers N`, the CLI beside a gateway) agree
 * on one pepper: the file is written whole under a private name and published with `link`, which fails
 * when another process published first — then its pepper is the one read.
 */
export function loadPepper(options: LoadPepperOptions): string {
  if (options.pepper) return options.pepper;
  const fromEnv = (options.env ?? process.env)[pepperEnvironmentVariable];
  if (fromEnv) return fromEnv;
  if (!options.path) {
    throw new SwitchyardError("invalid_config", `No key pepper: set keys.pepper, ${pepperEnvironmentVariable}, or a pepper file path`, { param: "keys.pepper" });
  }
  const path = options.path;
  const published = () => readFileSync(path, "utf8").trim();
  if (existsSync(path)) return published();
  const random = options.randomBytes ?? cryptoRandomBytes;
  const pepper = random(32).toString("hex");
  mkdirSync(dirname(path), { recursive: true });
  const privateCopy = `${path}.${process.pid}.${random(6).toString("hex")}.tmp`;
  writeFileSync(privateCopy, `${pepper}\n`, { mode: 0o600, flag: "wx" });
  try {
    chmodSync(privateCopy, 0o600);
    linkSync(privateCopy, path);
    return pepper;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return published();
    // A filesystem without hard links: create the file exclusively instead (a racing reader may then
    // find it before it is written, which the link avoids).
    try {
      writeFileSync(path, `${pepper}\n`, { mode: 0o600, flag: "wx" });
    } catch (exclusive) {
      if ((exclusive as NodeJS.ErrnoException).code === "EEXIST") return published();
      throw exclusive;
    }
    chmodSync(path, 0o600);
    return pepper;
  } finally {
    rmSync(privateCopy, { force: true });
  }
}
