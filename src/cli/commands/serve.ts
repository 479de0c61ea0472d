import type { Command } from "commander";
import { noRouterName } from "../../gateway/no-router-engine.js";
import { startGatewayFromConfig } from "../../gateway/start-gateway-from-config.js";
import { parseNumberOption } from "../usage-error.js";

/**
 * `switchyard serve --config switchyard.yaml [--port N] [--host H]`: starts the OpenAI-compatible gateway,
 * prints its URL on stdout, logs server errors as JSON lines on stderr, stops cleanly on SIGINT/SIGTERM, and reloads `router.artifact` on SIGHUP.
 */
export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("serve the OpenAI-compatible gateway (POST /v1/chat/completions with model \"auto\" routes)")
    .requiredOption("--config <file>", "gateway configuration (YAML): server, router artifact, upstreams, targets (required)")
    .option("--port <n>", "port to listen on (overrides server.port; 0 picks a free one)")
    .option("--host <address>", "address to listen on (overrides server.host)")
    .action(async (options: Record<string, string | undefined>) => {
      const port = options.port === undefined ? undefined : parseNumberOption("--port", options.port, { min: 0, max: 65_535, integer: true });
      const gateway = await startGatewayFromConfig({ configPath: String(options.config), port, host: options.host });
      const routed = gateway.engine.targets.map((target) => target.id);
      process.stdout.write(`switchyard gateway listening on ${gateway.url} (OpenAI base URL ${gateway.url}/v1)\n`);
      if (gateway.engine.routerName === noRouterName) {
        process.stdout.write('no router.artifact: plain gateway, models by name only (model "auto" answers 400 router_not_configured)\n');
      } else {
        process.stdout.write(`routing "auto" with ${gateway.engine.routerName} over ${routed.length} targets: ${routed.join(", ")}\n`);
      }
      if (gateway.fixedOnlyTargets.length > 0) {
        process.stdout.write(`by name only (unknown to the router): ${gateway.fixedOnlyTargets.join(", ")}\n`);
      }
      if (gateway.learning !== undefined) {
        const { source, updates, added, removed } = gateway.learning;
        const changes = [added.length > 0 ? `added ${added.join(", ")}` : "", removed.length > 0 ? `removed ${removed.join(", ")}` : ""].filter(Boolean).join("; ");
        process.stdout.write(`learning online: state from the ${source} (${updates} updates)${changes ? `; ${changes}` : ""}\n`);
      }
      if (gateway.open) {
        process.stdout.write("no API keys: running OPEN (loopback only); create one with `switchyard keys create --config … --name …`\n");
      } else {
        process.stdout.write(`${gateway.activeKeys} API key(s): requests need \`Authorization: Bearer sy-…\`\n`);
      }
      const stop = (signal: NodeJS.Signals): void => {
        process.stderr.write(`${signal}: draining in-flight requests, then stopping\n`);
        gateway.shutdown().then(
          ({ cutOff }) => {
            if (cutOff > 0) process.stderr.write(`${cutOff} request(s) were still running at the deadline\n`);
            process.exit(0);
          },
          () => process.exit(1),
        );
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
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
