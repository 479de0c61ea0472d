import { createMemoryStore } from "./memory/memory-store.js";
import { openPostgresStore } from "./postgres/postgres-store.js";
import { createSqliteStore } from "./sqlite/sqlite-store.js";
import type { StoreConfig } from "./store-config.js";
import type { Store } from "./store.js";

export { storeConfigSchema, type StoreConfig } from "./store-config.js";

/** Options for {@link createStore}. */
export interface CreateStoreOptions {
  /** SQLite: keep the request journal (what `switchyard serve` does; see `createSqliteStore`). */
  journal?: boolean;
}

/**
 * Opens the store the configuration names: SQLite (the embedded default), PostgreSQL (migrated on open;
 * start-up errors name the `store` setting, never the password) or memory.
 *
 * @example
 * const store = await createStore({ kind: "sqlite", path: "./switchyard-data/switchyard.db" });
 */
export async function createStore(config: StoreConfig, options: CreateStoreOptions = {}): Promise<Store> {
  if (config.kind === "memory") return createMemoryStore({ maxTraces: config.maxTraces });
  if (config.kind === "postgres") {
    return openPostgresStore({ url: config.url, poolSize: config.poolSize, connectTimeoutMs: config.connectTimeoutMs, spoolDir: config.spoolDir, spoolMaxBytes: config.spoolMaxBytes });
  }
  return createSqliteStore({ path: config.path, journal: options.journal === true });
}
