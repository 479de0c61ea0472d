import type pg from "pg";
import { importOptional } from "../../core/optional-dependency.js";
import { SwitchyardError } from "../../core/errors.js";
import { postgresSettingsOf, redactPostgresUrl, type PostgresConnectionSettings } from "./postgres-url.js";

/** The `pg` module (an optional peer dependency, loaded on first use). */
export type PgModule = typeof pg;

/** Loads `pg`, or explains how to install it. */
export async function loadPg(): Promise<PgModule> {
  const loaded = await importOptional(["pg"], "The postgres store", () => import("pg"), "or use `store: sqlite://PATH`");
  return ((loaded as { default?: PgModule }).default ?? loaded) as PgModule;
}

// BIGINT columns hold epoch milliseconds and nano-USD, both far below 2^53: read them as numbers, not
// strings (pg's default, made for values beyond 2^53).
const int8Oid = 20;

/** A client configuration for `pg.Pool` / `pg.Client` from the store's URL. */
export function clientConfigOf(pgModule: PgModule, settings: PostgresConnectionSettings, options: { connectTimeoutMs: number; max?: number }): pg.PoolConfig {
  return {
    host: settings.host,
    port: settings.port,
    ...(settings.user === undefined ? {} : { user: settings.user }),
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ...(settings.database === undefined ? {} : { database: settings.database }),
    ssl: settings.ssl,
    application_name: settings.applicationName ?? "switchyard",
    connectionTimeoutMillis: options.connectTimeoutMs,
    ...(options.max === undefined ? {} : { max: options.max }),
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === int8Oid && format !== "binary" ? (text: string) => Number(text) : pgModule.types.getTypeParser(oid, format ?? "text")) as pg.CustomTypesConfig["getTypeParser"],
    },
  };
}

const connectionErrorCodes = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/**
 * Whether `error` means PostgreSQL could not be reached or dropped the connection (as opposed to refusing
 * a statement): SQLSTATE class 08, shutdown / starting-up (57P01–57P03), socket errors, `pg`'s own
 * connect timeout and "connection terminated" errors.
 */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") {
    if (connectionErrorCodes.has(code) || code.startsWith("08") || code === "57P01" || code === "57P02" || code === "57P03") return true;
  }
  const message = error instanceof Error ? error.message : String(error);
  return /Connection terminated|timeout exceeded when trying to connect|Connection ended unexpectedly|not queryable|connect EC|read EC|write EC/i.test(message);
}

/** Removes the password from a message, wherever a driver might have echoed it. */
export function scrubSecret(message: string, secret: string | undefined): string {
  return secret === undefined || secret === "" ? message : message.split(secret).join("***");
}

/**
 * The start-up error for a store that cannot be used, naming the `store` setting and the URL without its
 * password: wrong credentials and a missing database are `invalid_config`; an unreachable server is
 * `store_unavailable`. The driver's error is not attached as `cause` (nothing of the connection settings
 * can reach a log through it); its message is, scrubbed.
 */
export function storeOpenError(error: unknown, url: string): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const settings = postgresSettingsOf(url);
  const where = redactPostgresUrl(url);
  const code = (error as { code?: unknown } | null)?.code;
  const detail = scrubSecret(error instanceof Error ? error.message : String(error), settings.password);
  if (code === "28P01" || code === "28000") {
    return new SwitchyardError("invalid_config", `store: PostgreSQL at ${where} refused the credentials (${detail}); check the user and password in store (or PGPASSWORD)`, { param: "store" });
  }
  if (code === "3D000") return new SwitchyardError("invalid_config", `store: ${detail} at ${where}; create it (createdb) or name another database in store`, { param: "store" });
  if (isConnectionError(error)) {
    return new SwitchyardError("store_unavailable", `store: cannot reach PostgreSQL at ${where} (${detail}); is it running, and are host and port in store right?`, { param: "store" });
  }
  return new SwitchyardError("store_unavailable", `store: PostgreSQL at ${where} failed: ${detail}`, { param: "store" });
}

/** Runs `work` in one transaction on one pooled connection (rolled back when it throws). */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    // A connection that failed is destroyed, not handed to the next caller.
    if (isConnectionError(error)) broken = error as Error;
    else await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release(broken);
  }
}
