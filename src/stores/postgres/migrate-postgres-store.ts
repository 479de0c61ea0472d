import { SwitchyardError } from "../../core/errors.js";
import { clientConfigOf, loadPg, storeOpenError } from "./postgres-connection.js";
import { migratePostgres, type PostgresMigrationResult } from "./postgres-migrations.js";
import { describePostgresUrlProblem, postgresSettingsOf } from "./postgres-url.js";

/**
 * Connects, migrates the schema (or, with `dryRun`, only says what is pending) and disconnects: what
 * `switchyard migrate` does before a deploy, so instances start on a ready schema. Errors are those of
 * `openPostgresStore` (naming `store`, never the password).
 */
export async function migratePostgresStore(options: { url: string; connectTimeoutMs?: number; dryRun?: boolean }): Promise<PostgresMigrationResult> {
  const problem = describePostgresUrlProblem(options.url);
  if (problem !== undefined) throw new SwitchyardError("invalid_config", `store: ${problem}`, { param: "store" });
  const pgModule = await loadPg();
  const pool = new pgModule.Pool(clientConfigOf(pgModule, postgresSettingsOf(options.url), { connectTimeoutMs: options.connectTimeoutMs ?? 5000, max: 1 }));
  pool.on("error", () => undefined);
  try {
    return await migratePostgres(pool, { dryRun: options.dryRun === true });
  } catch (error) {
    throw storeOpenError(error, options.url);
  } finally {
    await pool.end().catch(() => undefined);
  }
}
