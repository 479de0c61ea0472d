import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { RoutingEngine } from "../core/routing-engine.js";
import { createUpstreamClient } from "../providers/upstream-client.js";
import type { UpstreamClient } from "../providers/upstream-client.js";
import type { GatewayConfig } from "./config.js";
import { createGateway } from "./create-gateway.js";
import type { GatewayDeps } from "./create-gateway.js";

/** Options for {@link startGateway}. */
export interface StartGatewayOptions extends Omit<GatewayDeps, "engine" | "upstreamClient"> {
  config: GatewayConfig;
  engine: RoutingEngine;
  /** Overrides `config.server.port` (0 picks a free port). */
  port?: number;
  /** Overrides `config.server.host`. */
  host?: string;
  /** Default: an undici client over `config.upstreams`, closed by `close()`. A client passed in is not closed. */
  upstreamClient?: UpstreamClient;
}

/** A running gateway. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080` (clients use `${url}/v1`). */
  url: string;
  /** Stops accepting connections, ends open ones, and closes the upstream pools it created. */
  close(): Promise<void>;
}

/**
 * Serves the gateway over HTTP with `@hono/node-server`.
 *
 * @example
 * const { url, close } = await startGateway({ config, engine, port: 0 });
 * const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused" });
 */
export async function startGateway(options: StartGatewayOptions): Promise<RunningServer> {
  const { config, port = config.server.port, host = config.server.host, ...deps } = options;
  const ownsClient = options.upstreamClient === undefined;
  const upstreamClient = options.upstreamClient ?? createUpstreamClient({ upstreams: config.upstreams });
  const app = createGateway(config, { ...deps, upstreamClient });
  const running = await listen(app.fetch, port, host);
  return {
    url: running.url,
    async close() {
      await running.close();
      if (ownsClient) await upstreamClient.close();
    },
  };
}

/** Listens with `@hono/node-server` and resolves once the port is bound (shared with the replay upstream). */
export function listen(fetch: (request: Request) => Response | Promise<Response>, port: number, host: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: host }, (info: AddressInfo) => {
      server.off("error", reject);
      const hostPart = info.family === "IPv6" ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${hostPart}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            if ("closeAllConnections" in server) server.closeAllConnections();
          }),
      });
    });
    server.once("error", reject);
  });
}
