import { SwitchyardError } from "../core/errors.js";
import type { RoutingEngine } from "../core/routing-engine.js";

/** `routerName` of {@link createNoRouterEngine}'s engine. */
export const noRouterName = "none";

/**
 * The routing engine of a plain gateway (`serve` without `router.artifact`): it routes nothing, so every
 * configured target is reachable by name only, and `model: "auto"` answers 400 `router_not_configured`
 * instead of the gateway refusing to start.
 *
 * @example
 * const engine = createNoRouterEngine();
 * const app = createGateway(config, { engine }); // model "gpt-4o-mini" works, model "auto" is a 400
 */
export function createNoRouterEngine(): RoutingEngine {
  return {
    routerName: noRouterName,
    targets: [],
    async decide() {
      throw new SwitchyardError("router_not_configured", 'This gateway has no router (router.artifact is not set), so model "auto" cannot be routed; name a target listed by GET /v1/models, or train a router with `switchyard train` and set router.artifact', { param: "model" });
    },
  };
}
