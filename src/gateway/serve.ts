import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { SwitchyardError } from "../core/errors.js";
import { encodingOfTarget, loadOpenAITokenizer } from "../core/openai-tokenizer.js";
import type { RoutingEngine } from "../core/routing-engine.js";
import { createUpstreamClient } from "../providers/upstream-client.js";
import type { UpstreamClient } from "../providers/upstream-client.js";
import type { GatewayConfig } from "./config.js";
import { buildGateway } from "./create-gateway.js";
import { loadGatewayStages, type GatewayStages } from "./gateway-stages.js";
import type { GatewayDeps } from "./create-gateway.js";
import { errorBodyOf } from "./error-response.js";
import { listenErrorOf, protocolErrorResponseOf } from "./protocol-errors.js";
import { createGatewayServices } from "./gateway-services.js";
import type { GatewayServices } from "./gateway-services.js";
import { nodeRequestOf, sendNodeReply } from "./node-exchange.js";
import { createChatCompletionService } from "./routes/chat-completions.js";
import { createKeylessRefusal } from "./keyless-refusal.js";

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
  /** Close the store on shutdown (when the caller opened it for this gateway only). */
  ownsStore?: boolean;
}

/** A running gateway. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8080` (clients use `${url}/v1`). */
  url: string;
  /** Stops accepting connections, ends open ones, and closes the upstream pools it created. */
  close(): Promise<void>;
}

/** A running HTTP server that can drain before closing. */
export interface DrainableServer extends RunningServer {
  /**
   * Stops accepting connections and waits until every in-flight request (streams included) has
   * finished or `graceMs` passed, then closes what is left. Resolves with how many were cut off.
   */
  drain(graceMs: number): Promise<{ cutOff: number }>;
  /** Requests being served right now. */
  readonly inFlight: number;
}

/** A running gateway with graceful shutdown. */
export interface GatewayServer extends RunningServer {
  readonly services: GatewayServices;
  /** True when requests without a key are served while no key exists (loopback only). */
  readonly openAccess: boolean;
  /**
   * Graceful shutdown (what SIGTERM does): stop accepting, answer requests arriving on open
   * connections with 503 `unavailable`, let in-flight requests and streams finish for up to `graceMs`
   * (default `server.shutdownGraceMs`, 10 s), then flush traces and breaker states and close the
   * upstream pools (and the store when `ownsStore`). Resolves with how many requests were cut off.
   */
  shutdown(graceMs?: number): Promise<{ cutOff: number }>;
}

/** Default of `server.shutdownGraceMs`. */
export const defaultShutdownGraceMs = 10_000;

const hourMs = 3_600_000;

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Serves the gateway over HTTP with `@hono/node-server`. Without any API key in the store the gateway
 * serves requests without a key only when it listens on a loopback address; elsewhere they get 401
 * until a key exists. Traces older than `traces.retentionDays` are pruned at start and hourly.
 *
 * @example
 * const { url, shutdown } = await startGateway({ config, engine, port: 0 });
 * const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused" });
 */
export async function startGateway(options: StartGatewayOptions): Promise<GatewayServer> {
  const { config, port = config.server.port, host = config.server.host, ownsStore = false, ...deps } = options;
  const ownsClient = options.upstreamClient === undefined;
  const upstreamClient = options.upstreamClient ?? createUpstreamClient({ upstreams: config.upstreams, now: deps.now });
  let stages: GatewayStages = {};
  try {
    stages = deps.guard !== undefined || deps.policy !== undefined ? {} : await loadGatewayStages(config, { upstreamClient });
  } catch (error) {
    if (ownsClient) await upstreamClient.close();
    throw error;
  }
  // OpenAI-family targets count prompts with a real tokenizer where budgets or context windows need it:
  // load it now, off the request path (a request that needs it before it is ready waits for it).
  for (const encoding of new Set(config.targets.map((target) => encodingOfTarget(target)))) {
    if (encoding !== undefined) loadOpenAITokenizer(encoding).catch((error: unknown) => deps.logger?.warn({ encoding, error: String(error) }, "tokenizer could not be loaded; prompts are bounded by bytes"));
  }
  const openAccess = isLoopbackHost(host);
  const services = deps.services ?? createGatewayServices(config, { ...deps, openAccess });
  // Reservations in a shared coordination may belong to live instances; dead ones' expire there.
  if (!services.coordination.shared) await services.store.usage.clearReservations();
  const { app, context } = buildGateway(config, { ...stages, ...deps, upstreamClient, services });
  // The hot route skips hono's web Request/Response objects; every other route goes through the app.
  const chatCompletions = createChatCompletionService(context);
  // A flood of requests without a key costs a prebuilt 401 each, not the request path (keyless-refusal.ts).
  const refuseKeyless = createKeylessRefusal({ services, endpoint: "/v1/chat/completions", sampled: config.traces.sampleRejected > 0, logger: deps.logger, now: deps.now });
  const fastRoutes: FastRoutes = {
    "POST /v1/chat/completions": (request, response) => {
      if (refuseKeyless(request, response)) return;
      if (services.lifecycle.draining) response.setHeader("connection", "close");
      chatCompletions(nodeRequestOf(request, response))
        .then((reply) => sendNodeReply(reply, response))
        .catch((error: unknown) => {
          deps.logger?.error({ error: error instanceof Error ? error.message : String(error) }, "writing a response failed");
          response.destroy();
        });
    },
  };
  const running = await listen(app.fetch, port, host, fastRoutes, {
    headersTimeoutMs: config.server.headersTimeoutMs,
    requestTimeoutMs: config.server.requestTimeoutMs,
    onClientError: (code) => services.metrics.recordRejectedConnection(code),
  });

  const now = deps.now ?? Date.now;
  const retentionMs = config.traces.retentionDays * 24 * hourMs;
  const prune = () => {
    deps.learner?.prune().catch((error: unknown) => deps.logger?.error({ error: String(error) }, "pruning learning contexts failed"));
    if (!config.traces.enabled || retentionMs <= 0) return;
    services.store.traces.prune(now() - retentionMs).catch((error: unknown) => deps.logger?.error({ error: String(error) }, "pruning traces failed"));
  };
  prune();
  const pruneTimer = setInterval(prune, hourMs);
  pruneTimer.unref();

  let stopping: Promise<{ cutOff: number }> | undefined;
  const shutdown = (graceMs = config.server.shutdownGraceMs ?? defaultShutdownGraceMs) => {
    stopping ??= (async () => {
      services.lifecycle.draining = true;
      clearInterval(pruneTimer);
      const result = await running.drain(graceMs);
      await services.flush();
      // Judges still running finish (their upstream pools are still open); the learned state is snapshotted.
      await deps.pacing?.flush().catch((error: unknown) => deps.logger?.error({ error: String(error) }, "budget pacer states could not be saved"));
      await deps.learner?.flush().catch((error: unknown) => deps.logger?.error({ error: String(error) }, "the learned state could not be saved"));
      if (ownsClient) await upstreamClient.close();
      if (ownsStore) await services.store.close();
      return result;
    })();
    return stopping;
  };
  return {
    url: running.url,
    services,
    openAccess,
    shutdown,
    async close() {
      await shutdown(0);
    },
  };
}

/** Node handlers for `METHOD /path` (exact path, no query) served without the fetch adapter. */
export type FastRoutes = Record<string, (request: IncomingMessage, response: ServerResponse) => void>;

/** Read timeouts and protocol-error hooks of {@link listen}. */
export interface ListenOptions {
  /** Time allowed for a client to send the request headers (Node's `headersTimeout`; default 10000). */
  headersTimeoutMs?: number;
  /** Time allowed for a client to send the whole request, body included (Node's `requestTimeout`; default 60000). */
  requestTimeoutMs?: number;
  /** Called with the error code of each protocol-level refusal (malformed HTTP, timeouts, resets). */
  onClientError?: (code: string) => void;
}

/** Defaults of `server.headersTimeoutMs` and `server.requestTimeoutMs`. */
export const defaultHeadersTimeoutMs = 10_000;
export const defaultRequestTimeoutMs = 60_000;

/**
 * Listens with Node's HTTP server — `fastRoutes` handled directly, everything else through
 * `@hono/node-server`'s fetch adapter — and resolves once the port is bound (shared with the replay
 * upstream). Malformed HTTP (bad header syntax, CR/LF injection, oversized headers) is answered with an
 * OpenAI-shaped 400 instead of Node's bare one.
 */
export function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  port: number,
  host: string,
  fastRoutes: FastRoutes = {},
  options: ListenOptions = {},
): Promise<DrainableServer> {
  return new Promise((resolve, reject) => {
    let inFlight = 0;
    let idle: (() => void) | undefined;
    const viaFetch = getRequestListener(fetch);
    const requestTimeout = options.requestTimeoutMs ?? defaultRequestTimeoutMs;
    const headersTimeout = Math.min(options.headersTimeoutMs ?? defaultHeadersTimeoutMs, requestTimeout);
    const server = createServer({
      keepAliveTimeout: 65_000,
      headersTimeout,
      requestTimeout,
      // Node checks both timeouts on this interval (default 30 s): a slow client would otherwise hold
      // its socket up to 30 s past its deadline.
      connectionsCheckingInterval: Math.max(250, Math.min(1_000, Math.floor(headersTimeout / 4))),
      // Node's own check answers a bare, empty 400; the handler below answers it in JSON.
      requireHostHeader: false,
    }, (request, response) => {
      // HTTP/1.0 allows no Host; the fetch adapter needs one to build the request URL.
      if (request.httpVersionMinor === 0 && request.headers.host === undefined) request.headers.host = "localhost";
      if (request.headers.host === undefined) {
        options.onClientError?.("missing_host");
        const body = JSON.stringify(errorBodyOf(new SwitchyardError("invalid_request", "HTTP/1.1 requests need a Host header", { param: "host" })));
        response.writeHead(400, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), connection: "close" });
        response.end(body);
        return;
      }
      const fast = fastRoutes[`${request.method ?? ""} ${request.url ?? ""}`];
      if (fast) fast(request, response);
      else void viaFetch(request, response);
    });
    server.listen(port, host, () => {
      const info = server.address() as AddressInfo;
      server.off("error", reject);
      const hostPart = info.family === "IPv6" ? `[${info.address}]` : info.address;
      const closeNow = () =>
        new Promise<void>((done) => {
          server.close(() => done());
          if ("closeAllConnections" in server) server.closeAllConnections();
        });
      resolve({
        url: `http://${hostPart}:${info.port}`,
        get inFlight() {
          return inFlight;
        },
        close: closeNow,
        async drain(graceMs) {
          const closed = closeNow;
          server.close();
          if ("closeIdleConnections" in server) server.closeIdleConnections();
          if (inFlight > 0) {
            await new Promise<void>((done) => {
              const timer = setTimeout(done, graceMs);
              idle = () => {
                clearTimeout(timer);
                done();
              };
            });
          }
          const cutOff = inFlight;
          await closed();
          // Let the cut-off responses' close events run (they end streams and their request bookkeeping).
          for (let wait = 0; inFlight > 0 && wait < 20; wait++) await new Promise((done) => setTimeout(done, 10));
          await new Promise((done) => setImmediate(done));
          return { cutOff };
        },
      });
    });
    server.on("request", (_request, response) => {
      inFlight++;
      response.once("close", () => {
        inFlight--;
        if (inFlight === 0) idle?.();
      });
    });
    server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
      options.onClientError?.(error.code ?? "unknown");
      // A response already started on this socket cannot get another status line.
      const started = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
      if (error.code === "ECONNRESET" || !socket.writable || started) {
        socket.destroy();
        return;
      }
      socket.end(protocolErrorResponseOf(error.code));
    });
    // Node answers any Expect other than 100-continue with a bare 417; this one says why, in JSON.
    server.on("checkExpectation", (request: IncomingMessage, response: ServerResponse) => {
      options.onClientError?.("expectation_failed");
      const expect = String(request.headers.expect ?? "").slice(0, 64);
      const body = JSON.stringify(errorBodyOf(new SwitchyardError("expectation_failed", `Unsupported "expect: ${expect}" header; only "100-continue" is supported`, { param: "expect" })));
      response.writeHead(417, { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), connection: "close" });
      response.end(body);
    });
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenErrorOf(error, port, host)));
  });
}
