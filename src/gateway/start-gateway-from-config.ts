import { dirname, join } from "node:path";
import { loadRouterArtifact } from "../artifacts/router-artifact.js";
import { createRoutingEngine } from "../core/create-routing-engine.js";
import { SwitchyardError } from "../core/errors.js";
import type { RoutingEngine } from "../core/routing-engine.js";
import { createApiKeyHasher, loadPepper } from "../limits/api-key-hasher.js";
import { createGatewayMetrics } from "../observability/gateway-metrics.js";
import { pino } from "pino";
import { createLogger } from "../observability/logger.js";
import { createMemoryStore } from "../stores/memory/memory-store.js";
import { createSqliteStore } from "../stores/sqlite/sqlite-store.js";
import type { Store } from "../stores/store.js";
import { loadConfig } from "./config.js";
import type { GatewayConfig } from "./config.js";
import type { GatewayLogger } from "./gateway-logger.js";
import { createNoRouterEngine } from "./no-router-engine.js";
import { isLoopbackHost, startGateway } from "./serve.js";
import type { GatewayServer } from "./serve.js";

/** Options for {@link startGatewayFromConfig}. */
export interface StartGatewayFromConfigOptions {
  /** Path of `switchyard.yaml`. */
  configPath: string;
  /** Overrides `server.port`. */
  port?: number;
  /** Overrides `server.host`. */
  host?: string;
  /** Default: JSON lines on stderr per the config's `logging` section, secrets and prompts redacted. */
  logger?: GatewayLogger;
  /** Environment for `SWITCHYARD_KEY_PEPPER` (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** A gateway started from a config file, with what it routes over. */
export interface GatewayFromConfig extends GatewayServer {
  config: GatewayConfig;
  engine: RoutingEngine;
  /** Configured targets the router does not know: reachable by name only, never chosen by `auto`. */
  fixedOnlyTargets: string[];
  /** Active API keys at start-up. */
  activeKeys: number;
  /** True when no key was ever created: the gateway serves requests without a key (loopback only). */
  open: boolean;
}

/** Where the key pepper lives for a config: `auth.pepperFile`, else `key-pepper` beside the SQLite store. */
export function pepperFileOf(config: GatewayConfig): string | undefined {
  if (config.auth.pepperFile !== undefined) return config.auth.pepperFile;
  return config.store.kind === "sqlite" && config.store.path !== ":memory:" ? join(dirname(config.store.path), "key-pepper") : undefined;
}

/** Opens the store a config names (SQLite by default). */
export function openConfiguredStore(config: GatewayConfig): Store {
  return config.store.kind === "memory" ? createMemoryStore() : createSqliteStore({ path: config.store.path });
}

/**
 * What `switchyard serve` does: load and validate the config, load the router artifact it names (none:
 * a plain gateway whose targets are reachable by name), build the routing engine over the configured targets, open the store (SQLite, WAL) and the key
 * pepper, and start the gateway. Refuses to listen on a non-loopback address while no API key exists
 * (the gateway would otherwise be open to the network).
 *
 * @example
 * const gateway = await startGatewayFromConfig({ configPath: "switchyard.yaml" });
 * console.log(`listening on ${gateway.url}`);
 */
export async function startGatewayFromConfig(options: StartGatewayFromConfigOptions): Promise<GatewayFromConfig> {
  const config = await loadConfig(options.configPath, { env: options.env });
  // Without an artifact the gateway is a plain one: named targets only, "auto" is a clear 400.
  const engine =
    config.router.artifact === undefined
      ? createNoRouterEngine()
      : await createRoutingEngine({ artifact: await loadRouterArtifact(config.router.artifact), targets: config.targets, defaultQuality: config.router.defaultQuality });
  const routable = new Set(engine.targets.map((target) => target.id));
  const host = options.host ?? config.server.host;
  const store = openConfiguredStore(config);
  try {
    const pepper = loadPepper({ env: options.env, path: pepperFileOf(config) ?? join(process.cwd(), "switchyard-data", "key-pepper") });
    const activeKeys = await store.keys.countActive();
    if ((await store.keys.countAll()) === 0 && !isLoopbackHost(host)) {
      throw new SwitchyardError("invalid_config", `${options.configPath}: no API key exists, so the gateway may only listen on a loopback address (not ${host}); create one with \`switchyard keys create --config ${options.configPath} --name …\``, { param: "server.host" });
    }
    // Lines are written in batches of about 4 KB (at least every 100 ms, and at shutdown) instead of
    // one write per line: at a few thousand requests per second the per-line writes cost ~5% of the CPU.
    const destination = pino.destination({ dest: 2, sync: false, minLength: 4096, periodicFlush: 100 });
    const logger = options.logger ?? createLogger({ level: config.logging.level, logPrompts: config.logging.logPrompts, destination });
    // The access line carries only fields the gateway chose (ids, status, timings), so it skips redaction
    // and scrubbing.
    const requestLogger = options.logger ?? createLogger({ level: config.logging.level, destination, redact: false });
    const running = await startGateway({
      config,
      engine,
      port: options.port,
      host,
      logger,
      requestLogger,
      store,
      ownsStore: true,
      keyHasher: createApiKeyHasher(pepper),
      metrics: createGatewayMetrics({ processMetrics: true }),
      logRequests: config.logging.requests,
    });
    const drain = running.shutdown;
    const shutdown = async (graceMs?: number) => {
      const result = await drain(graceMs);
      destination.flushSync();
      return result;
    };
    const open = (await store.keys.countAll()) === 0;
    return Object.assign(running, { shutdown, config, engine, activeKeys, open, fixedOnlyTargets: config.targets.map((target) => target.id).filter((id) => !routable.has(id)) });
  } catch (error) {
    await store.close();
    throw error;
  }
}
