import type { Context } from "hono";
import type { GatewayContext } from "../gateway-context.js";

const json = { "content-type": "application/json" };

/**
 * `GET /readyz`: 200 `{ status: "ready", targets }` while the gateway accepts traffic and at least one
 * target's breaker is not open; 503 while draining for shutdown, when the store does not answer, or
 * when every breaker is open. `targets` maps each target to its breaker phase.
 */
export function createReadyHandler(context: GatewayContext): (c: Context) => Promise<Response> {
  const { services } = context;
  return async () => {
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
    return new Response(JSON.stringify({ status, targets }), { status: status === "ready" ? 200 : 503, headers: json });
  };
}

/** `GET /metrics`: Prometheus text exposition (breaker phases refreshed at scrape time). */
export function createMetricsHandler(context: GatewayContext): (c: Context) => Promise<Response> {
  const { services } = context;
  return async () => {
    for (const id of context.targetsById.keys()) services.metrics.setBreakerPhase(id, services.breakers.phase(id));
    const { contentType, text } = await services.metrics.render();
    return new Response(text, { status: 200, headers: { "content-type": contentType } });
  };
}
