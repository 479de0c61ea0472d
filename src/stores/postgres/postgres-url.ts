/** What `pg` needs to connect, taken apart from a `postgres://` URL. */
export interface PostgresConnectionSettings {
  host: string;
  port: number;
  /** Undefined: `pg` falls back to `PGUSER`, then the OS user. */
  user: string | undefined;
  /** Undefined: `pg` falls back to `PGPASSWORD` (or `~/.pgpass`). */
  password: string | undefined;
  /** Undefined: the user's name, as libpq does. */
  database: string | undefined;
  /** `sslmode`: `disable` (default), `require` (encrypted, certificate not checked) or `verify-full`. */
  ssl: false | { rejectUnauthorized: boolean };
  applicationName: string | undefined;
}

const sslModes = new Set(["disable", "prefer", "require", "verify-ca", "verify-full"]);
const knownParameters = new Set(["sslmode", "application_name"]);

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * Why `url` is not a usable PostgreSQL URL, or undefined when it is. Never quotes the URL (it may hold
 * a password).
 */
export function describePostgresUrlProblem(url: string): string | undefined {
  const parsed = parse(url);
  if (parsed === undefined) return "not a valid URL (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE; percent-encode @, : and / in the password)";
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:") return `expected a postgres:// URL, got "${parsed.protocol}//"`;
  if (parsed.hostname === "") return "the URL names no host (expected postgres://USER:PASSWORD@HOST:PORT/DATABASE)";
  if (parsed.pathname.length > 1 && parsed.pathname.slice(1).includes("/")) return "the database name may not contain /";
  for (const name of parsed.searchParams.keys()) {
    if (!knownParameters.has(name)) return `unknown URL parameter "${name}" (known: ${[...knownParameters].join(", ")})`;
  }
  const sslMode = parsed.searchParams.get("sslmode");
  if (sslMode !== null && !sslModes.has(sslMode)) return `sslmode must be one of ${[...sslModes].join(", ")}`;
  try {
    decodeURIComponent(parsed.username);
    decodeURIComponent(parsed.password);
  } catch {
    return "the user or password is not valid percent-encoding";
  }
  return undefined;
}

/** Takes a valid URL (see {@link describePostgresUrlProblem}) apart into connection settings. */
export function postgresSettingsOf(url: string): PostgresConnectionSettings {
  const parsed = new URL(url);
  const sslMode = parsed.searchParams.get("sslmode") ?? "disable";
  const database = decodeURIComponent(parsed.pathname.slice(1));
  return {
    // IPv6 literals come bracketed from URL; the socket wants them bare.
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port === "" ? 5432 : Number(parsed.port),
    user: parsed.username === "" ? undefined : decodeURIComponent(parsed.username),
    password: parsed.password === "" ? undefined : decodeURIComponent(parsed.password),
    database: database === "" ? undefined : database,
    ssl: sslMode === "disable" || sslMode === "prefer" ? false : { rejectUnauthorized: sslMode === "verify-full" || sslMode === "verify-ca" },
    applicationName: parsed.searchParams.get("application_name") ?? undefined,
  };
}

/**
 * The URL as it may appear in a message or a log line: the password replaced by `***`.
 *
 * @example
 * redactPostgresUrl("postgres://app:s3cret@db:5432/sw") // "postgres://app:***@db:5432/sw"
 */
export function redactPostgresUrl(url: string): string {
  const parsed = parse(url);
  if (parsed === undefined) return "(an unparsable URL)";
  if (parsed.password !== "") parsed.password = "***";
  return parsed.toString();
}
