import { dirname, join, resolve } from "node:path";
import type { RouterArtifact } from "../artifacts/router-artifact.js";
import { createRoutingEngine } from "../core/create-routing-engine.js";
import { SwitchyardError } from "../core/errors.js";
import type { RoutingEngine } from "../core/routing-engine.js";
import { createApiKeyHasher, loadPepper } from "../limits/api-key-hasher.js";
import { createGatewayMetrics } from "../observability/gateway-metrics.js";
import { createLearningMetrics } from "../observability/learning-metrics.js";
import { createOnlineLearner, type OnlineLearner } from "../learning/online-learner.js";
import { restoreOnlineRouter } from "../learning/restore-online-router.js";
import { createBudgetPacing } from "../learning/budget-pacing.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import { isOnlineRouter } from "../routers/online-router.js";
import { pino } from "pino";
import type { Registry } from "prom-client";
import { createLogger } from "../observability/logger.js";
import { createStore } from "../stores/create-store.js";
import { isPostgresStore } from "../stores/postgres/postgres-store.js";
import { registerTraceSpoolMetrics } from "../observability/trace-spool-metrics.js";
import type { Store } from "../stores/store.js";
import { createRolloutController, type RolloutController } from "../rollout/rollout-controller.js";
import { openCoordination } from "../coordination/open-coordination.js";
import type { Coordination } from "../coordination/coordination.js";
import { loadConfig } from "./config.js";
import { createAdminKey } from "../limits/admin-key.js";
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
  /** Overrides the metrics `/metrics` renders (a cluster worker renders every worker's, see `serveWorkers`). */
  renderMetrics?: () => Promise<{ contentType: string; text: string }>;
  /** Called with the gateway's metrics registry before it serves (a cluster worker hands it to the aggregator). */
  onMetricsRegistry?: (registry: Registry) => void;
}

/** A gateway started from a config file, with what it routes over. */
export interface GatewayFromConfig extends GatewayServer {
  config: GatewayConfig;
  engine: RoutingEngine;
  /** Configured targets the router does not know: reachable by name only, never chosen by `auto`. */
  fixedOnlyTargets: string[];
  /** Reloads the router artifact without a restart (`SIGHUP`, `POST /admin/reload`; docs/rollout.md); undefined for a plain gateway without `router.artifact`. */
  rollout: RolloutController | undefined;
  /** Active API keys at start-up. */
  activeKeys: number;
  /** True when no key was ever created: the gateway serves requests without a key (loopback only). */
  open: boolean;
  /** Online learning of a bandit router, when the artifact's router is online and `learning.enabled`. */
  learner: OnlineLearner | undefined;
  /** Where the online router's state came from at start-up, and how the target set changed it. */
  learning: { source: "store" | "artifact"; updates: number; added: string[]; removed: string[] } | undefined;
}

/** Where the key pepper lives for a config: `auth.pepperFile`, else `key-pepper` beside the SQLite store. */
export function pepperFileOf(config: GatewayConfig): string | undefined {
  if (config.auth.pepperFile !== undefined) return config.auth.pepperFile;
  return config.store.kind === "sqlite" && config.store.path !== ":memory:" ? join(dirname(config.store.path), "key-pepper") : undefined;
}

/** Opens the store a config names (SQLite by default; PostgreSQL migrated on open). */
export function openConfiguredStore(config: GatewayConfig, options: { journal?: boolean } = {}): Promise<Store> {
  return createStore(config.store, options);
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
  const adminKey = createAdminKey({ keyEnv: config.admin.keyEnv, env: options.env ?? process.env, required: config.admin.keyEnv !== undefined });
  const host = options.host ?? config.server.host;
  // The gateway journals every finished request before its last byte (see RequestJournal): a crash
  // loses no trace or spend of a response a client received completely.
  const store = await openConfiguredStore(config, { journal: true });
  let coordination: Coordination | undefined;
  try {
    // An online router starts from what it learned (the store's snapshot and update log), else from the
    // artifact; configured targets it does not know join with its exploration prior, removed ones leave.
    let restored: Awaited<ReturnType<typeof restoreOnlineRouter>> | undefined;
    let builds = 0;
    const buildEngine = async (loaded: RouterArtifact, version: string): Promise<RoutingEngine> => {
      const first = builds++ === 0;
      if (config.learning.enabled && isOnlineRouter(routerTrainerFor(loaded.router.kind).fromState(loaded.router)) && !first) {
        // The learner keeps learning into the router it started with; a reload would silently fork it.
        throw new SwitchyardError("invalid_config", "the served router learns online and its learned state lives in the store: use `switchyard learning import` and restart instead of a reload", { param: "router.artifact" });
      }
      if (first && config.learning.enabled) restored = await restoreOnlineRouter({ artifact: loaded, repository: store.learning, targets: config.targets.map((target) => target.id) });
      // A restored online router keeps the artifact's version: the version names what was deployed.
      return createRoutingEngine({ artifact: (first ? restored?.artifact : undefined) ?? loaded, targets: config.targets, defaultQuality: config.router.defaultQuality, artifactVersion: version });
    };
    // Without an artifact the gateway is a plain one: named targets only, "auto" is a clear 400.
    const rollout =
      config.router.artifact === undefined
        ? undefined
        : await createRolloutController({
            targets: config.targets,
            defaultQuality: config.router.defaultQuality,
            artifact: config.router.artifact,
            shadow: config.router.shadow?.artifact,
            canary: config.router.canary,
            baseDir: dirname(resolve(options.configPath)),
            buildEngine,
          });
    const engine = rollout?.engine ?? createNoRouterEngine();
    const routable = new Set(engine.targets.map((target) => target.id));
    const created = createGatewayMetrics({ processMetrics: true });
    if (isPostgresStore(store)) registerTraceSpoolMetrics(created.registry, store);
    options.onMetricsRegistry?.(created.registry);
    const metrics = options.renderMetrics === undefined ? created : { ...created, render: options.renderMetrics };
    const pepper = loadPepper({ env: options.env, path: pepperFileOf(config) ?? join(process.cwd(), "switchyard-data", "key-pepper") });
    const activeKeys = await store.keys.countActive();
    if ((await store.keys.countAll()) === 0 && !isLoopbackHost(host)) {
      throw new SwitchyardError("invalid_config", `${options.configPath}: no API key exists, so the gateway may only listen on a loopback address (not ${host}); create one with \`switchyard keys create --config ${options.configPath} --name …\``, { param: "server.host" });
    }
    // Lines are written in batches (from 2 KB, at least every 100 ms, and at shutdown) instead of one
    // write per line: at a few thousand requests per second the per-line writes cost ~5% of the CPU.
    // Every write holds whole lines and at most 4 KiB (PIPE_BUF), so a crash can lose the last batch
    // but never leaves half a line — in a file, or in a pipe, where such writes are atomic.
    const destination = pino.destination({ dest: 2, sync: false, minLength: 2048, maxWrite: 4096, periodicFlush: 100 });
    const logger = options.logger ?? createLogger({ level: config.logging.level, logPrompts: config.logging.logPrompts, destination });
    // The access line carries only fields the gateway chose (ids, status, timings), so it skips redaction
    // and scrubbing.
    const requestLogger = options.logger ?? createLogger({ level: config.logging.level, destination, redact: false });
    coordination = await openCoordination(config.coordination, { store, logger });
    const learner =
      restored !== undefined && engine.router !== undefined && isOnlineRouter(engine.router)
        ? createOnlineLearner({
            router: engine.router,
            repository: store.learning,
            config: config.learning,
            storeText: config.traces.storeText,
            seq: restored.seq,
            updates: restored.updates,
            metrics: createLearningMetrics(metrics.registry),
            logger,
            ...(coordination.shared ? { announcements: coordination.learning } : {}),
          })
        : undefined;
    const running = await startGateway({
      config,
      engine,
      rollout,
      adminKey,
      port: options.port,
      host,
      logger,
      requestLogger,
      store,
      coordination,
      ownsStore: true,
      keyHasher: createApiKeyHasher(pepper),
      metrics,
      logRequests: config.logging.requests,
      learner,
      pacing: createBudgetPacing({ config: config.learning, store, logger }),
    });
    const drain = running.shutdown;
    const shutdown = async (graceMs?: number) => {
      const result = await drain(graceMs);
      await rollout?.close();
      await coordination?.close();
      destination.flushSync();
      return result;
    };
    const open = (await store.keys.countAll()) === 0;
    const learning = restored === undefined ? undefined : { source: restored.source, updates: restored.updates, added: restored.added, removed: restored.removed };
    return Object.assign(running, { shutdown, config, engine, rollout, activeKeys, open, learner, learning, fixedOnlyTargets: config.targets.map((target) => target.id).filter((id) => !routable.has(id)) });
  } catch (error) {
    await coordination?.close();
    await store.close();
    throw error;
  }
}
