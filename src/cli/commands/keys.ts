import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import { SwitchyardError } from "../../core/errors.js";
import { loadConfig } from "../../gateway/config.js";
import { openConfiguredStore, pepperFileOf } from "../../gateway/start-gateway-from-config.js";
import { createApiKeyHasher, loadPepper } from "../../limits/api-key-hasher.js";
import { createApiKeyService } from "../../limits/api-key-service.js";
import { openCoordination } from "../../coordination/open-coordination.js";
import { periodStartOf } from "../../limits/budget-period.js";
import { budgetPeriods, type BudgetPeriod } from "../../stores/api-key-record.js";
import { createSqliteStore } from "../../stores/sqlite/sqlite-store.js";
import type { Store } from "../../stores/store.js";
import { parseListOption, parseNumberOption, UsageError } from "../usage-error.js";

/** I/O the key and trace commands use; tests replace it. */
export interface StoreCommandDeps {
  /** Prints one line of output. */
  print?: (line: string) => void;
  env?: Record<string, string | undefined>;
  now?: () => number;
}

/** Where the CLI finds the store: `--config` (its `store` and `auth` sections) or `--db`. */
export interface StoreLocationOptions {
  config?: string;
  db?: string;
}

/** Default database of the CLI when neither `--config` nor `--db` is given. */
export const defaultCliDatabase = "./switchyard-data/switchyard.db";

/**
 * Opens the store the gateway uses — from `--config` (same `store.path` and pepper file as
 * `switchyard serve`), else `--db`, else `./switchyard-data/switchyard.db` — and says where the key
 * pepper is (`key-pepper` beside the database unless `auth.pepperFile` says otherwise).
 */
export async function openStoreForCli(options: StoreLocationOptions): Promise<{ store: Store; pepperPath: string; retentionDays?: number }> {
  if (options.config !== undefined) {
    const config = await loadConfig(options.config);
    if (config.store.kind === "memory") throw new SwitchyardError("invalid_config", `${options.config}: store.kind is memory: keys and traces exist only inside the running gateway`, { param: "store.kind" });
    const pepperPath = pepperFileOf(config) ?? (config.store.kind === "sqlite" ? join(dirname(config.store.path), "key-pepper") : join(process.cwd(), "switchyard-data", "key-pepper"));
    return { store: await openConfiguredStore(config), pepperPath, retentionDays: config.traces.retentionDays };
  }
  const path = resolve(options.db ?? defaultCliDatabase);
  return { store: createSqliteStore({ path }), pepperPath: join(dirname(path), "key-pepper") };
}

/** Adds `--config` and `--db` to a command. */
export function withStoreOptions(command: Command): Command {
  return command
    .option("--config <file>", "gateway configuration whose store (and key pepper) to use")
    .option("--db <file>", `SQLite store to use when there is no --config (default ${defaultCliDatabase})`);
}

function money(value: number | null): string {
  return value === null ? "-" : `$${Number(value.toPrecision(6))}`;
}

/** Formats rows as aligned columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)];
}

/**
 * `switchyard keys create|list|revoke`: API keys stored hashed (sha256 with a per-install pepper) in
 * the gateway's store. `create` prints the key once; it cannot be shown again.
 *
 * @example
 * switchyard keys create --config switchyard.yaml --name ci --budget-usd 10 --period month --rpm 60 --models gpt-4o-mini,mistral-7b
 */
export function registerKeys(program: Command, deps: StoreCommandDeps = {}): void {
  const print = deps.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = deps.now ?? Date.now;
  const openKeyService = async (options: StoreLocationOptions) => {
    const { store, pepperPath } = await openStoreForCli(options);
    try {
      const hasher = createApiKeyHasher(loadPepper({ env: deps.env, path: pepperPath }));
      return { store, keys: createApiKeyService({ store, hasher, now }) };
    } catch (error) {
      await store.close();
      throw error;
    }
  };
  const keysCommand = program.command("keys").description("create, list and revoke the gateway's API keys");

  withStoreOptions(keysCommand.command("create").description("create an API key (printed once)"))
    .requiredOption("--name <name>", "name of the key (unique among active keys) (required)")
    .option("--budget-usd <usd>", "spending limit per period in USD")
    .option("--period <period>", `budget period: ${budgetPeriods.join(", ")}`, "month")
    .option("--rpm <n>", "requests per minute")
    .option("--tpm <n>", "tokens (prompt + completion) per minute")
    .option("--models <ids>", "comma-separated target ids the key may use (default: all)")
    .action(async (options: Record<string, string | undefined> & StoreLocationOptions) => {
      const period = options.period ?? "month";
      if (!(budgetPeriods as readonly string[]).includes(period)) throw new UsageError(`--period must be one of ${budgetPeriods.join(", ")}, got ${JSON.stringify(period)}`);
      const input = {
        name: String(options.name),
        budgetPeriod: period as BudgetPeriod,
        ...(options.budgetUsd !== undefined ? { budgetUsd: parseNumberOption("--budget-usd", options.budgetUsd, { min: 0 }) } : {}),
        ...(options.rpm !== undefined ? { rpm: parseNumberOption("--rpm", options.rpm, { min: 1, integer: true }) } : {}),
        ...(options.tpm !== undefined ? { tpm: parseNumberOption("--tpm", options.tpm, { min: 1, integer: true }) } : {}),
        ...(options.models !== undefined ? { models: parseListOption("--models", options.models) } : {}),
      };
      const { store, keys: keyService } = await openKeyService(options);
      try {
        const { key, record } = await keyService.create(input);
        print(key);
        print(`created ${record.id} "${record.name}" — store this key now: it is kept only as a hash and cannot be shown again`);
      } finally {
        await store.close();
      }
    });

  withStoreOptions(keysCommand.command("list").description("list API keys with their limits and this period's spend"))
    .option("--json", "one JSON object per line")
    .action(async (options: StoreLocationOptions & { json?: boolean }) => {
      const { store } = await openStoreForCli(options);
      try {
        const rows: string[][] = [];
        for (const record of await store.keys.list()) {
          const totals = await store.usage.totals(record.id, periodStartOf(record.budgetPeriod, now()));
          if (options.json) {
            const { hash: _hash, ...visible } = record;
            print(JSON.stringify({ ...visible, spentUsd: totals.spentUsd, requests: totals.requests, inputTokens: totals.inputTokens, outputTokens: totals.outputTokens }));
            continue;
          }
          rows.push([
            record.id,
            record.name,
            `${record.prefix}…`,
            record.revokedAt === null ? "active" : "revoked",
            new Date(record.createdAt).toISOString().slice(0, 19) + "Z",
            `${money(totals.spentUsd)} / ${money(record.budgetUsd)} per ${record.budgetPeriod}`,
            String(totals.requests),
            record.rpm === null ? "-" : String(record.rpm),
            record.tpm === null ? "-" : String(record.tpm),
            record.models === null ? "all" : record.models.join(","),
          ]);
        }
        if (!options.json) {
          if (rows.length === 0) print("no API keys (the gateway runs open on loopback only)");
          else for (const line of formatTable(["id", "name", "key", "status", "created", "spent / budget", "requests", "rpm", "tpm", "models"], rows)) print(line);
        }
      } finally {
        await store.close();
      }
    });

  withStoreOptions(keysCommand.command("revoke").description("revoke an API key by id or name").argument("<key>", "key id (key_…) or name")).action(
    async (idOrName: string, options: StoreLocationOptions) => {
      const { store, pepperPath } = await openStoreForCli(options);
      // With `coordination: redis://…` the revocation is announced to every running instance at once
      // (instances on a store without a change counter would otherwise notice within a second).
      const coordinationConfig = options.config === undefined ? undefined : (await loadConfig(options.config)).coordination;
      const coordination = coordinationConfig === undefined ? undefined : await openCoordination(coordinationConfig, { store }).catch(async (error: unknown) => {
        await store.close();
        throw error;
      });
      try {
        const hasher = createApiKeyHasher(loadPepper({ env: deps.env, path: pepperPath }));
        const keyService = createApiKeyService({ store, hasher, now, ...(coordination ? { revocations: coordination.revocations } : {}) });
        const record = await keyService.revoke(idOrName);
        print(`revoked ${record.id} "${record.name}"${coordination ? " (announced to every instance)" : ""}`);
      } finally {
        await coordination?.close();
        await store.close();
      }
    },
  );
}
