import type { Context } from "hono";
import type { GatewayContext } from "../gateway-context.js";

const json = { "content-type": "application/json" };

/** Whether `/metrics` (and `/readyz`'s per-target detail) needs the admin key: `metrics.requireAdminKey`, else whether API keys exist. */
async function adminKeyRequired(context: GatewayContext): Promise<boolean> {
  return context.config.metrics.requireAdminKey ?? (await context.services.keysExist());
}

/**
 * `GET /readyz`: 200 `{ status: "ready", targets }` while the gateway accepts traffic and at least one
 * target's breaker is not open; 503 while draining for shutdown, when the store does not answer, or
 * when every breaker is open. `targets` maps each target to its breaker phase — only for the admin key
 * when `/metrics` needs it (load balancers need the status alone; the fleet is the operator's business).
 */
export function createReadyHandler(context: GatewayContext): (c: Context) => Promise<Response> {
  const { services } = context;
  return async (c) => {
    const targets: Record<string, string> = {};
    for (const id of context.targetsById.keys()) targets[id] = services.breakers.phase(id);
    let status = services.lifecycle.draining ? "draining" : "ready";
    if (status === "ready") {
      try {
        await services.store.keys.countActive();
      } catch {
        status = "store_unavailable";
      }
    }
    if (status === "ready" && Object.values(targets).every((phase) => phase === "open")) status = "no_upstream";
    const detail = !(await adminKeyRequired(context)) || services.adminKey.matches((name) => c.req.header(name));
    return new Response(JSON.stringify(detail ? { status, targets } : { status }), { status: status === "ready" ? 200 : 503, headers: json });
  };
}

/**
 * `GET /metrics`: Prometheus text exposition (breaker phases refreshed at scrape time). Needs the admin
 * key (`Authorization: Bearer $SWITCHYARD_ADMIN_KEY`) when `metrics.requireAdminKey` says so, by default
 * as soon as API keys exist. Key names appear as labels; key secrets and hashes never do.
 */
export function createMetricsHandler(context: GatewayContext): (c: Context) => Promise<Response> {
  const { services } = context;
  return async (c) => {
    if (await adminKeyRequired(context)) services.adminKey.assert((name) => c.req.header(name), "GET /metrics");
    for (const id of context.targetsById.keys()) services.metrics.setBreakerPhase(id, services.breakers.phase(id));
    const { contentType, text } = await services.metrics.render();
    return new Response(text, { status: 200, headers: { "content-type": contentType } });
  };
}
