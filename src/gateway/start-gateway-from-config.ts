import { loadRouterArtifact } from "../artifacts/router-artifact.js";
import { createRoutingEngine } from "../core/create-routing-engine.js";
import { SwitchyardError } from "../core/errors.js";
import type { RoutingEngine } from "../core/routing-engine.js";
import { loadConfig } from "./config.js";
import type { GatewayConfig } from "./config.js";
import type { GatewayLogger } from "./gateway-logger.js";
import { startGateway } from "./serve.js";
import type { RunningServer } from "./serve.js";

/** Options for {@link startGatewayFromConfig}. */
export interface StartGatewayFromConfigOptions {
  /** Path of `switchyard.yaml`. */
  configPath: string;
  /** Overrides `server.port`. */
  port?: number;
  /** Overrides `server.host`. */
  host?: string;
  logger?: GatewayLogger;
}

/** A gateway started from a config file, with what it routes over. */
export interface GatewayFromConfig extends RunningServer {
  config: GatewayConfig;
  engine: RoutingEngine;
  /** Configured targets the router does not know: reachable by name only, never chosen by `auto`. */
  fixedOnlyTargets: string[];
}

/**
 * What `switchyard serve` does: load and validate the config, load the router artifact it names,
 * build the routing engine over the configured targets, and start the gateway.
 *
 * @example
 * const gateway = await startGatewayFromConfig({ configPath: "switchyard.yaml" });
 * console.log(`listening on ${gateway.url}`);
 */
export async function startGatewayFromConfig(options: StartGatewayFromConfigOptions): Promise<GatewayFromConfig> {
  const config = await loadConfig(options.configPath);
  if (config.router.artifact === undefined) {
    throw new SwitchyardError("invalid_config", `${options.configPath}: router.artifact: required to serve (the file written by \`switchyard train\`)`);
  }
  const artifact = await loadRouterArtifact(config.router.artifact);
  const engine = await createRoutingEngine({ artifact, targets: config.targets, defaultQuality: config.router.defaultQuality });
  const routable = new Set(engine.targets.map((target) => target.id));
  const running = await startGateway({ config, engine, port: options.port, host: options.host, logger: options.logger });
  return { ...running, config, engine, fixedOnlyTargets: config.targets.map((target) => target.id).filter((id) => !routable.has(id)) };
}
