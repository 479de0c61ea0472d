import type { Context, Hono } from "hono";
import { SwitchyardError } from "../core/errors.js";
import type { GatewayContext } from "../gateway/gateway-context.js";
import { createAdminGate } from "../gateway/routes/admin.js";
import type { DashboardConfig } from "./dashboard-config.js";
import { checkParams, decisionsFilterOf, windowParam } from "./admin-api-params.js";
import type { DashboardSources } from "./dashboard-data.js";
import { createDashboardReader, type DashboardReader } from "./dashboard-reader.js";
import { decisionOf } from "./decisions-data.js";
import { loadUiAssets, type UiAssets } from "./ui-assets.js";

const jsonText = (text: string) => new Response(text, { status: 200, headers: { "content-type": "application/json", "cache-control": "no-store" } });
const json = (value: unknown) => jsonText(JSON.stringify(value));

/** Options for {@link registerDashboard}. */
export interface DashboardRouteOptions {
  /** The built page (default: `dist/ui` of this package). */
  assets?: UiAssets;
  /** Where the aggregate reads run (default: `ui.reads`). */
  reads?: DashboardConfig["reads"];
}

/**
 * Serves the dashboard when `ui.enabled`: the page at `/ui` (static files, no data in them) and its JSON
 * API under `/admin/api/` (docs/dashboard.md), which needs the admin key: 401 `unauthorized` without a
 * key, 403 `forbidden` with another one, and nothing else is said either way. With a SQLite store the
 * aggregate reads run off the serving thread (`createDashboardReader`); the returned reader stops it.
 */
export function registerDashboard(app: Hono, context: GatewayContext, options: DashboardRouteOptions = {}): DashboardReader {
  const { config, services } = context;
  if (!services.adminKey.configured) {
    throw new SwitchyardError("invalid_config", `ui.enabled: the dashboard needs the admin key; set the environment variable ${services.adminKey.keyEnv} (admin.keyEnv) to a long random value`, { param: "ui.enabled" });
  }
  const gate = createAdminGate(services.adminKey);
  const sources: DashboardSources = {
    store: services.store,
    targets: config.targets.map((target) => target.id),
    defaultModel: config.ui.defaultModel,
    breakerPhase: (target) => services.breakers.phase(target),
    learnerActive: context.learner !== undefined,
    rateLimitHits: () => services.metrics.rateLimitHits?.() ?? new Map(),
    now: context.now,
  };
  const filePath = (options.reads ?? config.ui.reads) === "serving-thread" ? undefined : services.store.filePath;
  const reader = createDashboardReader({
    sources,
    ...(filePath === undefined ? {} : { sqlitePath: filePath }),
    onWorkerFailure: (message) => context.logger.warn({ event: "dashboard_reader_failed" }, `${message}; the admin API reads on the serving thread`),
  });
  const aggregate = (handler: (url: URL) => Parameters<DashboardReader["read"]>[0]) => async (c: Context) => {
    gate((name) => c.req.header(name));
    return jsonText(await reader.read(handler(new URL(c.req.url))));
  };
  const api = (handler: (url: URL, c: Context) => Promise<unknown>) => async (c: Context) => {
    gate((name) => c.req.header(name));
    return json(await handler(new URL(c.req.url), c));
  };
  const methodNotAllowed = () => {
    throw new SwitchyardError("method_not_allowed", "Use GET on the admin API");
  };
  const routes: Array<[string, (url: URL, c: Context) => Promise<unknown>]> = [
    [
      "/admin/api/config",
      async (url) => {
        checkParams(url, []);
        return { object: "dashboard.config", refreshIntervalMs: config.ui.refreshIntervalMs, targets: sources.targets, defaultModel: config.ui.defaultModel ?? null, learnerActive: sources.learnerActive, store: services.store.kind };
      },
    ],
    [
      "/admin/api/decisions/:id",
      async (url, c) => {
        checkParams(url, []);
        // Traces written in the last flush interval are not in the store yet.
        await services.traces?.flush();
        return decisionOf(services.store, c.req.param("id") ?? "");
      },
    ],
  ];
  const windowed = (endpoint: "overview" | "models" | "learning") => (url: URL) => {
    checkParams(url, ["window"]);
    return { endpoint, window: windowParam(url) };
  };
  const aggregates: Array<[string, (url: URL) => Parameters<DashboardReader["read"]>[0]]> = [
    ["/admin/api/overview", windowed("overview")],
    ["/admin/api/decisions", (url) => ({ endpoint: "decisions", ...decisionsFilterOf(url) })],
    ["/admin/api/models", windowed("models")],
    [
      "/admin/api/keys",
      (url) => {
        checkParams(url, []);
        return { endpoint: "keys" };
      },
    ],
    ["/admin/api/learning", windowed("learning")],
  ];
  for (const [path, handler] of routes) {
    app.get(path, api(handler));
    app.all(path, methodNotAllowed);
  }
  for (const [path, handler] of aggregates) {
    app.get(path, aggregate(handler));
    app.all(path, methodNotAllowed);
  }

  const assets = options.assets ?? loadUiAssets();
  const page = (c: Context) => {
    if (!assets.built) throw new SwitchyardError("not_found", `The dashboard is not built: run \`npm run build:ui\` (looked in ${assets.directory})`);
    const path = c.req.path === "/ui" ? "" : c.req.path.slice("/ui/".length);
    const response = assets.response(path);
    if (response === undefined) throw new SwitchyardError("not_found", `No route GET ${c.req.path}`);
    return response;
  };
  app.get("/ui", page);
  app.get("/ui/*", page);
  return reader;
}
