import cluster from "node:cluster";
import type { Command } from "commander";
import { loadConfig } from "../../gateway/config.js";
import { clusterWorkerMetrics } from "../../gateway/cluster-metrics.js";
import { noRouterName } from "../../gateway/no-router-engine.js";
import { assertWorkersCoordinated, runClusterPrimary, type WorkerListening } from "../../gateway/serve-workers.js";
import { startGatewayFromConfig, type GatewayFromConfig } from "../../gateway/start-gateway-from-config.js";
import { parseNumberOption } from "../usage-error.js";

/** What `serve` prints about a started gateway, one line each. */
function summaryLinesOf(gateway: GatewayFromConfig): string[] {
  const lines = [`switchyard gateway listening on ${gateway.url} (OpenAI base URL ${gateway.url}/v1)`];
  const routed = gateway.engine.targets.map((target) => target.id);
  if (gateway.engine.routerName === noRouterName) {
    lines.push('no router.artifact: plain gateway, models by name only (model "auto" answers 400 router_not_configured)');
  } else {
    lines.push(`routing "auto" with ${gateway.engine.routerName} over ${routed.length} targets: ${routed.join(", ")}`);
  }
  if (gateway.fixedOnlyTargets.length > 0) lines.push(`by name only (unknown to the router): ${gateway.fixedOnlyTargets.join(", ")}`);
  if (gateway.learning !== undefined) {
    const { source, updates, added, removed } = gateway.learning;
    const changes = [added.length > 0 ? `added ${added.join(", ")}` : "", removed.length > 0 ? `removed ${removed.join(", ")}` : ""].filter(Boolean).join("; ");
    lines.push(`learning online: state from the ${source} (${updates} updates)${changes ? `; ${changes}` : ""}`);
  }
  if (gateway.open) lines.push("no API keys: running OPEN (loopback only); create one with `switchyard keys create --config … --name …`");
  else lines.push(`${gateway.activeKeys} API key(s): requests need \`Authorization: Bearer sy-…\``);
  if (gateway.services.coordination.kind !== "local") lines.push(`coordination: ${gateway.services.coordination.kind} (rate limits, budgets, breakers and revocations shared with every instance)`);
  return lines;
}

/**
 * `switchyard serve --config switchyard.yaml [--port N] [--host H] [--workers N]`: starts the OpenAI-compatible gateway,
 * prints its URL on stdout, logs server errors as JSON lines on stderr, stops cleanly on SIGINT/SIGTERM, and reloads `router.artifact` on SIGHUP.
 * With `--workers N` (N > 1, needs `coordination: redis://…`) a node:cluster primary runs N gateway workers on one port.
 */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the OpenAI-compatible gateway (POST /v1/chat/completions with model \"auto\" routes)")
    .requiredOption("--config <file>", "gateway configuration (YAML): server, router artifact, upstreams, targets (required)")
    .option("--port <n>", "port to listen on (overrides server.port; 0 picks a free one)")
    .option("--host <address>", "address to listen on (overrides server.host)")
    .option("--workers <n>", "worker processes sharing the port (node:cluster; more than 1 needs coordination: redis://…)", "1")
    .action(async (options: Record<string, string | undefined>) => {
      const port = options.port === undefined ? undefined : parseNumberOption("--port", options.port, { min: 0, max: 65_535, integer: true });
      const workers = parseNumberOption("--workers", options.workers ?? "1", { min: 1, max: 256, integer: true });
      const configPath = String(options.config);
      if (workers > 1 && cluster.isPrimary) {
        const config = await loadConfig(configPath);
        assertWorkersCoordinated(config, workers, configPath);
        const code = await runClusterPrimary({ workers, config, configPath, write: (text) => process.stdout.write(text), writeError: (text) => process.stderr.write(text) });
        process.exit(code);
      }
      let renderAll: (() => Promise<{ contentType: string; text: string }>) | undefined;
      const gateway = await startGatewayFromConfig({
        configPath,
        port,
        host: options.host,
        ...(cluster.isWorker
          ? {
              onMetricsRegistry: (registry) => {
                renderAll = clusterWorkerMetrics(registry);
              },
              renderMetrics: () => (renderAll as NonNullable<typeof renderAll>)(),
            }
          : {}),
      });
      const lines = summaryLinesOf(gateway);
      if (cluster.isWorker) process.send?.({ type: "switchyard:listening", url: gateway.url, lines } satisfies WorkerListening);
      else process.stdout.write(`${lines.join("\n")}\n`);
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        // A terminal's Ctrl-C reaches a worker twice (from the terminal and from the primary): drain once.
        if (stopping) return;
        stopping = true;
        process.stderr.write(`${signal}: draining in-flight requests, then stopping${cluster.isWorker ? ` (worker ${process.env.SWITCHYARD_WORKER_INDEX ?? "?"})` : ""}\n`);
        gateway.shutdown().then(
          ({ cutOff }) => {
            if (cutOff > 0) process.stderr.write(`${cutOff} request(s) were still running at the deadline\n`);
            process.exit(0);
          },
          () => process.exit(1),
        );
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
      // SIGHUP reloads `router.artifact` (Node's default for it would end the process).
      process.on("SIGHUP", () => {
        if (gateway.rollout === undefined) {
          process.stderr.write("SIGHUP: ignored (a plain gateway without router.artifact has nothing to reload)\n");
          return;
        }
        gateway.rollout.reload().then(
          (status) => process.stderr.write(`SIGHUP: reloaded ${status.artifact.path} (${status.artifact.version}, ${status.artifact.router})\n`),
          (error: unknown) => process.stderr.write(`SIGHUP: ${error instanceof Error ? error.message : String(error)}\n`),
        );
      });
    });
}
