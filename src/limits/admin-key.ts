import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { SwitchyardError } from "../core/errors.js";
import { presentedKeyOf } from "./api-key-service.js";

/** Default environment variable holding the admin key. */
export const defaultAdminKeyEnv = "SWITCHYARD_ADMIN_KEY";

/**
 * Schema of the `admin` section: where the operator's admin key comes from. The key itself is never
 * in the config file (so it cannot be committed with it): only the name of the environment variable.
 */
export const adminConfigSchema = z
  .object({
    /**
     * Environment variable holding the admin key. Default `SWITCHYARD_ADMIN_KEY`, where unset means no
     * admin key; a variable named here explicitly must be set (a start-up error names it otherwise).
     */
    keyEnv: z.string().min(1).optional(),
  })
  .strict();

/** The validated `admin` section. */
export type AdminConfig = z.infer<typeof adminConfigSchema>;

/** The operator's admin key, as far as a request check needs it. */
export interface AdminKey {
  /** True when the environment variable is set (non-empty). */
  readonly configured: boolean;
  /** Where it comes from, for messages (`SWITCHYARD_ADMIN_KEY`). */
  readonly keyEnv: string;
  /** True when the request presents the admin key (`Authorization: Bearer …`, `x-api-key` or `api-key`). */
  matches(header: (name: string) => string | undefined): boolean;
  /** Throws 401 `unauthorized` unless the request presents the admin key; `what` names the protected route. */
  assert(header: (name: string) => string | undefined, what: string): void;
}

/** Shortest admin key accepted: shorter ones are guessable and refused at start-up. */
export const minAdminKeyLength = 16;

/**
 * Reads the admin key from `env[keyEnv]` once. Comparisons hash both sides with SHA-256 and compare
 * the digests with `timingSafeEqual`, so neither the key's length nor a matching prefix shows in the
 * time a refusal takes.
 *
 * @example
 * const admin = createAdminKey({ keyEnv: "SWITCHYARD_ADMIN_KEY" });
 * admin.assert((name) => request.headers[name], "GET /metrics");
 */
export function createAdminKey(options: { keyEnv?: string; env?: Record<string, string | undefined>; required?: boolean } = {}): AdminKey {
  const keyEnv = options.keyEnv ?? defaultAdminKeyEnv;
  const value = (options.env ?? process.env)[keyEnv];
  const secret = value === undefined || value === "" ? undefined : value;
  if (secret === undefined && options.required === true) {
    throw new SwitchyardError("invalid_config", `admin.keyEnv: the environment variable ${keyEnv} is not set; it must hold the admin key (at least ${minAdminKeyLength} characters)`, { param: "admin.keyEnv" });
  }
  if (secret !== undefined && secret.length < minAdminKeyLength) {
    throw new SwitchyardError("invalid_config", `admin.keyEnv: the admin key in ${keyEnv} is shorter than ${minAdminKeyLength} characters; use a long random value (e.g. \`openssl rand -hex 32\`)`);
  }
  const digest = secret === undefined ? undefined : createHash("sha256").update(secret).digest();
  const matches = (header: (name: string) => string | undefined): boolean => {
    const presented = presentedKeyOf(header);
    if (digest === undefined || presented === undefined) return false;
    return timingSafeEqual(createHash("sha256").update(presented).digest(), digest);
  };
  return {
    configured: digest !== undefined,
    keyEnv,
    matches,
    assert(header, what) {
      if (matches(header)) return;
      const how = digest === undefined ? `no admin key is configured: set the environment variable ${keyEnv} (admin.keyEnv) and send it as "Authorization: Bearer …"` : `send the admin key (${keyEnv}) as "Authorization: Bearer …"`;
      throw new SwitchyardError("unauthorized", `${what} needs the admin key: ${how}`);
    },
  };
}
