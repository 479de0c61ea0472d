import { resolve } from "node:path";
import type { Command } from "commander";
import { SwitchyardError, errorCodes, type ErrorCode } from "../../core/errors.js";
import { loadConfig } from "../../gateway/config.js";
import { UsageError, parseNumberOption } from "../usage-error.js";

/**
 * `switchyard reload [--url U] [--artifact FILE | --rollback] [--shadow FILE|off] [--canary FILE --share X | --canary off]`:
 * asks a running gateway (`POST /admin/reload`, admin key from `--admin-key-env`, default the config's
 * `admin.keyEnv`) to load an artifact without a restart, start or stop a shadow or canary, or roll back.
 */
export function registerReload(program: Command): void {
  program
    .command("reload")
    .description("reload a running gateway's router artifact without a restart (or roll back, or start/stop a shadow or canary)")
    .option("--url <url>", "gateway base URL (default http://<server.host>:<server.port> from --config, else http://127.0.0.1:8080)")
    .option("--config <file>", "gateway configuration: its server address and admin.keyEnv")
    .option("--artifact <file>", "new router artifact (default: the configured router.artifact, re-read)")
    .option("--rollback", "restore the artifact served before the last reload")
    .option("--shadow <file|off>", "start shadow mode with this candidate artifact, or stop it (off)")
    .option("--canary <file|off>", "serve --share of routed traffic with this candidate artifact, or stop the canary (off)")
    .option("--share <x>", "canary share in [0, 1]")
    .option("--admin-key-env <name>", "environment variable holding the admin key (default the config's admin.keyEnv, else SWITCHYARD_ADMIN_KEY)")
    .action(async (options: Record<string, string | boolean | undefined>) => {
      if (options.rollback && (options.artifact || options.shadow || options.canary)) throw new UsageError("--rollback takes no --artifact, --shadow or --canary");
      const config = typeof options.config === "string" ? await loadConfig(options.config) : undefined;
      const keyEnv = (options.adminKeyEnv as string | undefined) ?? config?.admin.keyEnv ?? "SWITCHYARD_ADMIN_KEY";
      const adminKey = process.env[keyEnv];
      if (adminKey === undefined || adminKey === "") throw new UsageError(`the admin key is read from the environment variable ${keyEnv}, which is not set`);
      const host = config?.server.host ?? "127.0.0.1";
      const url = String(options.url ?? `http://${host.includes(":") ? `[${host}]` : host}:${config?.server.port ?? 8080}`).replace(/\/+$/, "");
      const body: Record<string, unknown> = {};
      // Paths are resolved here, where the user typed them, not in the gateway's directory.
      if (typeof options.artifact === "string") body.artifact = resolve(options.artifact);
      if (options.rollback) body.rollback = true;
      if (typeof options.shadow === "string") body.shadow = options.shadow === "off" ? null : resolve(options.shadow);
      if (typeof options.canary === "string") {
        if (options.canary === "off") body.canary = null;
        else {
          if (options.share === undefined) throw new UsageError("--canary FILE needs --share X");
          body.canary = { artifact: resolve(options.canary), share: parseNumberOption("--share", String(options.share), { min: 0, max: 1 }) };
        }
      } else if (options.share !== undefined) throw new UsageError("--share goes with --canary FILE");
      let response: Response;
      try {
        response = await fetch(`${url}/admin/reload`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` }, body: JSON.stringify(body) });
      } catch (error) {
        throw new UsageError(`cannot reach the gateway at ${url} (${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)})`);
      }
      const answer = (await response.json().catch(() => ({}))) as { error?: { message?: string; code?: string }; artifact?: { path: string; version: string; router: string }; shadow?: { version: string } | null; canary?: { version: string; share: number } | null };
      if (!response.ok) {
        const code = answer.error?.code;
        const known: ErrorCode = code !== undefined && code in errorCodes ? (code as ErrorCode) : "reload_failed";
        throw new SwitchyardError(response.status === 404 ? "not_found" : known, response.status === 404 ? `${url} has no admin endpoint (set admin.keyEnv in its config and restart it)` : (answer.error?.message ?? `the gateway answered ${response.status}`));
      }
      const parts = [`serving ${answer.artifact?.path} (${answer.artifact?.version}, ${answer.artifact?.router})`];
      if (answer.shadow) parts.push(`shadow ${answer.shadow.version}`);
      if (answer.canary) parts.push(`canary ${answer.canary.version} at ${answer.canary.share}`);
      process.stdout.write(`${options.rollback ? "rolled back: " : "reloaded: "}${parts.join("; ")}\n`);
    });
}
