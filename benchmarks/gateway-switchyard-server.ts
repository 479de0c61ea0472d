/**
 * Starts Switchyard exactly as `switchyard serve --config FILE` does (SQLite store, traces, metrics,
 * request logs), for the gateway benchmarks; prints `READY <url>` and drains on SIGTERM.
 *   npx tsx benchmarks/gateway-switchyard-server.ts --config switchyard.yaml
 */
import { startGatewayFromConfig } from "../src/gateway/start-gateway-from-config.js";

const configIndex = process.argv.indexOf("--config");
const configPath = process.argv[configIndex + 1];
if (configIndex < 0 || configPath === undefined) throw new Error("usage: gateway-switchyard-server.ts --config FILE");
const gateway = await startGatewayFromConfig({ configPath });
process.stdout.write(`READY ${gateway.url}\n`);
process.on("SIGTERM", () => {
  void gateway.shutdown(2_000).then(() => process.exit(0));
});
