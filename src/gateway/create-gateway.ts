import { Hono } from "hono";
import type { Context } from "hono";
import { SwitchyardError } from "../core/errors.js";
import type { RoutingEngine } from "../core/routing-engine.js";
import type { GuardStage } from "../guard/guard-stage.js";
import { createUpstreamClient } from "../providers/upstream-client.js";
import type { RolloutController } from "../rollout/rollout-controller.js";
import type { PolicyRouter } from "../routers/policy/policy-router.js";
import { createStrategyHandler } from "../strategies/strategy-handler.js";
import { createUpstreamChatCaller } from "../strategies/chat-caller.js";
import type { OnlineLearner } from "../learning/online-learner.js";
import type { GatewayBudgetPacing } from "../learning/budget-pacing.js";
import type { UpstreamClient } from "../providers/upstream-client.js";
import type { GatewayConfig } from "./config.js";
import { errorResponse } from "./error-response.js";
import type { CompletionRecord, GatewayContext } from "./gateway-context.js";
import { silentLogger } from "./gateway-logger.js";
import type { GatewayLogger } from "./gateway-logger.js";
import { createGatewayServices } from "./gateway-services.js";
import type { GatewayServices, GatewayServicesDeps } from "./gateway-services.js";
import { requestIdOf } from "./request-id.js";
import { createChatCompletionsHandler } from "./routes/chat-completions.js";
import { createEmbeddingsHandler } from "./routes/embeddings.js";
import { createFeedbackHandler } from "./routes/feedback.js";
import { createAdminHandlers } from "./routes/admin.js";
import { createModelsHandlers } from "./routes/models.js";
import { createMetricsHandler, createReadyHandler } from "./routes/operations.js";
import { registerDashboard } from "../dashboard/dashboard-routes.js";

/** What the gateway is built from besides its config. */
export interface GatewayDeps extends Omit<GatewayServicesDeps, "logger" | "now"> {
  /** Chooses targets for `model: "auto"` (see `createRoutingEngine`). */
  engine: RoutingEngine;
  /**
   * Calls upstreams. Default: an undici client over `config.upstreams`, which the caller cannot close —
   * pass your own (and close it) when the gateway's lifetime matters; `startGateway` does.
   */
  upstreamClient?: UpstreamClient;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Default: silent. Server errors (≥ 500) are logged here with their cause. */
  logger?: GatewayLogger;
  /** Observer called once per answered completion (traces, metrics, budgets). */
  onCompletion?: (record: CompletionRecord) => void;
  /**
   * Keys, limits, budgets, breakers, retries, traces and metrics. Default: built from the config and
   * the other deps (`store`, `keyHasher`, …) with a memory store; `startGateway` passes its own to
   * drain and flush them on shutdown.
   */
  services?: GatewayServices;
  /** One JSON log line per request (default false; `switchyard serve` follows `logging.requests`). */
  logRequests?: boolean;
  /** Where the per-request lines go (default `logger`). */
  requestLogger?: GatewayLogger;
  /** Guard stage built from `config.guard` (see `loadGatewayStages`; `startGateway` builds it). */
  guard?: GuardStage;
  /** Policy router built from `config.policy` (see `loadGatewayStages`; `startGateway` builds it). */
  policy?: PolicyRouter;
  /** Online learner of the engine's bandit router (see `createOnlineLearner`; `startGatewayFromConfig` builds it). */
  learner?: OnlineLearner;
  /** Budget pacing (see `createBudgetPacing`; `startGatewayFromConfig` builds it from `learning`). */
  pacing?: GatewayBudgetPacing;
  /** Reloads `engine` (which must be `rollout.engine`); with an admin key configured (`admin.keyEnv`), served as `POST /admin/reload`. */
  rollout?: RolloutController;
}

const healthText = JSON.stringify({ status: "ok" });

/**
 * Builds the OpenAI-compatible gateway as a hono app: `POST /v1/chat/completions` (routed when
 * `model` is `auto`), `POST /v1/embeddings`, `POST /v1/feedback`, `GET /v1/models`,
 * `GET /v1/models/:model`, `GET /healthz`, `GET /readyz`, `GET /metrics`. Touches no port:
 * test it with `app.request()`, serve it with `startGateway`.
 *
 * @example
 * const app = createGateway(config, { engine });
 * const response = await app.request("/v1/chat/completions", {
 *   method: "POST", headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ model: "auto", messages: [{ role: "user", content: "2+2?" }] }),
 * });
 * response.headers.get("x-switchyard-model"); // the target that answered
 */
export function createGateway(config: GatewayConfig, deps: GatewayDeps): Hono {
  return buildGateway(config, deps).app;
}

/**
 * {@link createGateway} plus the context its routes share, for servers that also serve some routes
 * without hono (`startGateway`'s Node fast path).
 */
export function buildGateway(config: GatewayConfig, deps: GatewayDeps): { app: Hono; context: GatewayContext } {
  const logger = deps.logger ?? silentLogger;
  if (config.guard !== undefined && deps.guard === undefined) {
    throw new SwitchyardError("invalid_config", "guard: configured but not built; pass deps.guard from loadGatewayStages (startGateway does this)");
  }
  if (config.policy !== undefined && deps.policy === undefined) {
    throw new SwitchyardError("invalid_config", "policy: configured but not built; pass deps.policy from loadGatewayStages (startGateway does this)");
  }
  const context: GatewayContext = {
    config,
    engine: deps.engine,
    upstreamClient: deps.upstreamClient ?? createUpstreamClient({ upstreams: config.upstreams }),
    logger,
    now: deps.now ?? Date.now,
    targetsById: new Map(config.targets.map((target) => [target.id, target])),
    upstreamsByName: new Map(config.upstreams.map((upstream) => [upstream.name, upstream])),
    onCompletion: deps.onCompletion,
    services: deps.services ?? createGatewayServices(config, { ...deps, logger, now: deps.now }),
    logRequests: deps.logRequests ?? false,
    requestLogger: deps.requestLogger ?? logger,
    strategies: createStrategyHandler({ config: config.strategies, targets: config.targets, engine: deps.engine }),
    guard: deps.guard,
    policy: deps.policy,
    learner: deps.learner,
    pacing: deps.pacing,
  };
  deps.learner?.attachCaller(createUpstreamChatCaller({ upstreamClient: context.upstreamClient, upstreams: config.upstreams }), context.targetsById);
  const models = createModelsHandlers(context);
  const methodNotAllowed = (allowed: string) => () => {
    throw new SwitchyardError("method_not_allowed", `Use ${allowed} on this route`);
  };

  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    // While draining, ask keep-alive clients to reconnect (to another instance).
    if (context.services.lifecycle.draining) c.res.headers.set("connection", "close");
  });
  app.post("/v1/chat/completions", createChatCompletionsHandler(context));
  app.all("/v1/chat/completions", methodNotAllowed("POST"));
  app.post("/v1/embeddings", createEmbeddingsHandler(context));
  app.all("/v1/embeddings", methodNotAllowed("POST"));
  app.post("/v1/feedback", createFeedbackHandler(context));
  app.all("/v1/feedback", methodNotAllowed("POST"));
  app.get("/v1/models", models.list);
  app.all("/v1/models", methodNotAllowed("GET"));
  app.get("/v1/models/:model{.+}", models.retrieve);
  app.get("/healthz", () => new Response(healthText, { status: 200, headers: { "content-type": "application/json" } }));
  app.get("/readyz", createReadyHandler(context));
  app.get("/metrics", createMetricsHandler(context));
  // The admin endpoints exist only with a rollout to drive and an admin key to guard them (else 404).
  if (deps.rollout !== undefined && context.services.adminKey.configured) {
    const admin = createAdminHandlers(deps.rollout, context.services.adminKey);
    app.post("/admin/reload", admin.reload);
    app.all("/admin/reload", methodNotAllowed("POST"));
    app.get("/admin/rollout", admin.status);
    app.all("/admin/rollout", methodNotAllowed("GET"));
  }
  // The dashboard (`ui.enabled`, docs/dashboard.md): the page at /ui and its admin JSON API.
  if (config.ui.enabled) registerDashboard(app, context);
  const respondWithError = (error: unknown, _c: Context): Response => {
    const requestId = requestIdOf();
    return errorResponse(error, { logger, requestId, headers: { "x-request-id": requestId } });
  };
  app.notFound((c) => respondWithError(new SwitchyardError("not_found", `No route ${c.req.method} ${c.req.path}`), c));
  app.onError(respondWithError);
  return { app, context };
}
