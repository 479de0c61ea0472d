import { loadRouterArtifact, parseRouterArtifact, type RouterArtifact } from "../artifacts/router-artifact.js";
import { createRoutingEngine } from "../core/create-routing-engine.js";
import type { Decision } from "../core/decision.js";
import { SwitchyardError } from "../core/errors.js";
import type { ChatMessage, RouteOptions } from "../core/query.js";
import type { Random } from "../core/random.js";
import type { Target } from "../core/target.js";

/** One request to route in-process: the chat messages and where on the cost–quality curve to land. */
export interface RouteRequest {
  messages: readonly ChatMessage[];
  /** Knob in [0, 1]: 0 = cheapest, 1 = best (default: the router's `defaultQuality`, 0.5). */
  quality?: number;
  /** Explicit willingness-to-pay in USD per unit of quality; overrides `quality`. */
  willingnessToPay?: number;
  /** Restrict the choice to these model ids. */
  allowedModels?: readonly string[];
  /** Stable id of the prompt, if it has one (kept in the decision's inputs, not used to route). */
  id?: string;
}

/** Options of {@link loadRouter}. */
export interface LoadRouterOptions {
  /**
   * The models to choose among, with prices and context windows. Default: every model of the artifact,
   * priced by the artifact's own cost model (what `switchyard route` does).
   */
  targets?: readonly Target[];
  /** Knob used when a request sets neither `quality` nor `willingnessToPay` (default 0.5). */
  defaultQuality?: number;
  /** Exploration draws of online routers (default: seeded from the clock). */
  random?: Random;
}

/** A trained router loaded in-process: no port, no database, no network. */
export interface LoadedRouter {
  /** Strategy name, e.g. `knn`. */
  readonly name: string;
  /** Model ids this router chooses among. */
  readonly models: readonly string[];
  /** The artifact it was built from. */
  readonly artifact: RouterArtifact;
  /** Chooses the model for one request; throws `SwitchyardError("no_candidates")` when nothing is allowed. */
  decide(request: RouteRequest): Promise<Decision>;
}

/**
 * Loads a router artifact (the file `switchyard train` writes, or the object `train()` returns) and
 * routes requests with it in-process.
 *
 * @example
 * import { loadRouter } from "switchyard";
 * const router = await loadRouter("router.json");
 * const decision = await router.decide({ messages: [{ role: "user", content: "What is 2 + 2?" }], quality: 0.3 });
 * console.log(decision.model, decision.candidates[0]?.predictedCostUsd);
 */
export async function loadRouter(source: string | RouterArtifact, options: LoadRouterOptions = {}): Promise<LoadedRouter> {
  const artifact = typeof source === "string" ? await loadRouterArtifact(source) : parseRouterArtifact(source, "artifact");
  // Zero prices make the artifact's cost model (trained on the dataset's recorded costs) price every call.
  const targets = options.targets ?? artifact.models.map((id) => ({ id, inputUsdPerMTok: 0, outputUsdPerMTok: 0, contextWindow: 128_000 }));
  const engine = await createRoutingEngine({
    artifact,
    targets,
    ...(options.defaultQuality === undefined ? {} : { defaultQuality: options.defaultQuality }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  return {
    name: engine.routerName,
    models: engine.targets.map((target) => target.id),
    artifact,
    decide(request) {
      if (!request || !Array.isArray(request.messages)) throw new SwitchyardError("invalid_request", "decide() needs { messages: [{ role, content }, …] }", { param: "messages" });
      const routeOptions: RouteOptions = {};
      if (request.quality !== undefined) routeOptions.quality = request.quality;
      if (request.willingnessToPay !== undefined) routeOptions.willingnessToPay = request.willingnessToPay;
      if (request.allowedModels !== undefined) routeOptions.allowedModels = request.allowedModels;
      return engine.decide({ ...(request.id === undefined ? {} : { id: request.id }), messages: request.messages, options: routeOptions });
    },
  };
}
