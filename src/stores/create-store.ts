import { z } from "zod";
import { createMemoryStore } from "./memory/memory-store.js";
import { createSqliteStore } from "./sqlite/sqlite-store.js";
import type { Store } from "./store.js";

/** Schema of the `store` section of the configuration. */
export const storeConfigSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("sqlite"),
      /** Database file (created with its folder when missing). */
      path: z.string().min(1).default("./switchyard-data/switchyard.db"),
    })
    .strict(),
  z
    .object({
      kind: z.literal("memory"),
      /** Most traces (and learning contexts) kept; the oldest are dropped and counted (default 50,000). */
      maxTraces: z.number().int().positive().optional(),
    })
    .strict(),
]);

/** The `store` section of the configuration. */
export type StoreConfig = z.infer<typeof storeConfigSchema>;

/**
 * Opens the store the configuration names.
 *
 * @example
 * const store = createStore({ kind: "sqlite", path: "./switchyard-data/switchyard.db" });
 */
export function createStore(config: StoreConfig): Store {
  return config.kind === "memory" ? createMemoryStore({ maxTraces: config.maxTraces }) : createSqliteStore({ path: config.path });
}
