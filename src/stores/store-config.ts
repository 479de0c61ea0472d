import { resolve } from "node:path";
import { z } from "zod";
import { describePostgresUrlProblem } from "./postgres/postgres-url.js";

const sqliteStoreSchema = z
  .object({
    kind: z.literal("sqlite"),
    /** SQLite file; relative paths are relative to the config file. */
    path: z.string().min(1).default("./switchyard-data/switchyard.db"),
  })
  .strict();

const memoryStoreSchema = z
  .object({
    kind: z.literal("memory"),
    /** Most traces (and learning contexts) kept in RAM; the oldest are dropped and counted (default 50,000). */
    maxTraces: z.number().int().positive().optional(),
  })
  .strict();

const postgresStoreSchema = z
  .object({
    kind: z.literal("postgres"),
    /**
     * `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (or `postgresql://`); the password may be left out and
     * given as `PGPASSWORD`, or written as `${VARIABLE}`. Never logged: messages show it as `***`.
     */
    url: z.string().min(1),
    /** Most connections the pool opens (default 10). */
    poolSize: z.number().int().min(1).max(1000).default(10),
    /** How long connecting may take before the store counts PostgreSQL as unreachable (default 5000). */
    connectTimeoutMs: z.number().int().positive().default(5000),
    /** Folder of the trace spool (traces written while PostgreSQL is down); relative to the config file. */
    spoolDir: z.string().min(1).default("./switchyard-data/trace-spool"),
    /** Most bytes the spool holds; traces beyond it are dropped, counted and logged (default 256 MiB). */
    spoolMaxBytes: z.number().int().min(0).default(256 * 1024 * 1024),
  })
  .strict()
  .superRefine((value, context) => {
    const problem = describePostgresUrlProblem(value.url);
    if (problem !== undefined) context.addIssue({ code: "custom", path: ["url"], message: problem });
  });

const storeUrlHelp = "expected sqlite://PATH, postgres://USER:PASSWORD@HOST:PORT/DATABASE or memory://";

/**
 * Turns the URL form of `store` into its object form; an object without `kind` is a SQLite store (the
 * form before URLs existed). The value is never echoed into a message: it may hold a password.
 */
function storeObjectOf(value: unknown, context: z.RefinementCtx): unknown {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) return "kind" in value ? value : { kind: "sqlite", ...value };
  if (typeof value !== "string") return value;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1]?.toLowerCase();
  if (scheme === "sqlite") {
    const path = value.slice("sqlite://".length);
    if (path === "") context.addIssue({ code: "custom", message: "sqlite:// needs a file path (sqlite://./switchyard-data/switchyard.db)" });
    return { kind: "sqlite", path };
  }
  if (scheme === "memory") {
    if (value.length > "memory://".length) context.addIssue({ code: "custom", message: "memory:// takes nothing after the scheme" });
    return { kind: "memory" };
  }
  if (scheme === "postgres" || scheme === "postgresql") {
    const problem = describePostgresUrlProblem(value);
    if (problem !== undefined) context.addIssue({ code: "custom", message: problem });
    return { kind: "postgres", url: value };
  }
  context.addIssue({ code: "custom", message: scheme === undefined ? `${storeUrlHelp} (got a string without a scheme)` : `${storeUrlHelp} (got a "${scheme}://" URL)` });
  return value;
}

/**
 * Schema of the `store` section: where keys, spend, traces, feedback, learned state and breaker
 * cooldowns live. A URL string (`sqlite://PATH`, `postgres://…`, `memory://`) or an object (`{ kind:
 * sqlite, path }`, `{ kind: memory }`, `{ kind: postgres, url, poolSize, spoolDir, spoolMaxBytes }`).
 *
 * @example
 * store: postgres://switchyard:${PGPASSWORD}@db.internal:5432/switchyard
 */
export const storeConfigSchema = z.preprocess(storeObjectOf, z.discriminatedUnion("kind", [sqliteStoreSchema, memoryStoreSchema, postgresStoreSchema]));

/** The `store` section after validation. */
export type StoreConfig = z.infer<typeof storeConfigSchema>;
/** The PostgreSQL form of {@link StoreConfig}. */
export type PostgresStoreConfig = Extract<StoreConfig, { kind: "postgres" }>;

/** Resolves the store's relative paths (SQLite file, spool folder) against the config file's folder. */
export function resolveStorePaths(store: StoreConfig, baseDir: string): StoreConfig {
  if (store.kind === "sqlite") return store.path === ":memory:" ? store : { ...store, path: resolve(baseDir, store.path) };
  if (store.kind === "postgres") return { ...store, spoolDir: resolve(baseDir, store.spoolDir) };
  return store;
}
