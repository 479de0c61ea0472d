import type { Decision } from "./decision.js";
import type { Query } from "./query.js";
import type { Target } from "./target.js";
import type { Router } from "../routers/router.js";

/**
 * Decides which target serves a query: embed → router predictions → objective over the allowed
 * candidates. Built from a router artifact and the configured targets by `createRoutingEngine`.
 */
export interface RoutingEngine {
  /** Name of the router strategy, e.g. `knn` (sent as `x-switchyard-router`). */
  readonly routerName: string;
  /** The router behind the engine (an `OnlineRouter` when it learns online: see `isOnlineRouter`); absent in test fakes. */
  readonly router?: Router;
  /** Targets this engine can choose from (configured targets the artifact knows). */
  readonly targets: readonly Target[];
  /**
   * Routes one query. Candidates are the engine's targets, restricted by `query.options.allowedModels`
   * and by `constraints.exclude`; throws `SwitchyardError("no_candidates")` when none is left.
   */
  decide(query: Query, constraints?: DecideConstraints): Promise<Decision>;
  /**
   * An engine fixed to the artifact(s) serving right now, for callers that read `targets` and then
   * decide (so a reload in between cannot mix two versions). Absent on engines that never change.
   */
  pin?(): RoutingEngine;
}

/** Extra restrictions the gateway adds (open circuit breakers, context window, key permissions). */
export interface DecideConstraints {
  /** Target ids that must not be chosen. */
  exclude?: ReadonlySet<string>;
  /** Only these target ids may be chosen (intersected with the query's allowed models). */
  only?: ReadonlySet<string>;
  /** Upper bound on predicted cost (USD) of the chosen target, e.g. from a key's remaining budget. */
  maxCostUsd?: number;
  /** Maps the query's willingness-to-pay to the one routing uses (a budget pacer's multiplier). */
  adjustWillingnessToPay?: (willingnessToPay: number) => number;
}
