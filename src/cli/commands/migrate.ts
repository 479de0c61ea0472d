import type { Command } from "commander";
import { SwitchyardError } from "../../core/errors.js";
import { loadConfig } from "../../gateway/config.js";
import { migratePostgresStore } from "../../stores/postgres/migrate-postgres-store.js";
import { redactPostgresUrl } from "../../stores/postgres/postgres-url.js";
import { createSqliteStore } from "../../stores/sqlite/sqlite-store.js";

/**
 * `switchyard migrate --config switchyard.yaml [--dry-run]`: brings the configured store's schema to this
 * version's (PostgreSQL: versioned steps under an advisory lock; SQLite: the same steps its open runs) and
 * prints what it did. The gateway migrates on start as well; run this first to upgrade the schema once,
 * before rolling new instances out. A schema newer than this Switchyard is an error naming both versions.
 *
 * @example
 * switchyard migrate --config switchyard.yaml --dry-run
 */
export function registerMigrate(program: Command, print: (line: string) => void = (line) => void process.stdout.write(`${line}\n`)): void {
  program
    .command("migrate")
    .description("apply the store's schema migrations (PostgreSQL or SQLite) and print the schema version")
    .requiredOption("--config <file>", "gateway configuration whose store to migrate")
    .option("--dry-run", "only print the steps that would run")
    .action(async (options: { config: string; dryRun?: boolean }) => {
      const config = await loadConfig(options.config);
      const store = config.store;
      if (store.kind === "memory") throw new SwitchyardError("invalid_config", `${options.config}: store is memory://: there is no schema to migrate`, { param: "store" });
      if (store.kind === "sqlite") {
        if (options.dryRun === true) throw new SwitchyardError("invalid_config", `${options.config}: --dry-run is for PostgreSQL stores; a SQLite store migrates when it is opened`, { param: "store" });
        await createSqliteStore({ path: store.path }).close();
        print(`store sqlite://${store.path}: schema up to date`);
        return;
      }
      const result = await migratePostgresStore({ url: store.url, connectTimeoutMs: store.connectTimeoutMs, dryRun: options.dryRun === true });
      const where = `store ${redactPostgresUrl(store.url)}`;
      const steps = (list: typeof result.pending) => list.map((step) => `  ${step.version}: ${step.description}`);
      if (result.pending.length === 0) print(`${where}: schema version ${result.from}, up to date`);
      else if (options.dryRun === true) print([`${where}: schema version ${result.from}; would apply:`, ...steps(result.pending)].join("\n"));
      else print([`${where}: schema version ${result.from} → ${result.to}; applied:`, ...steps(result.applied)].join("\n"));
    });
}
