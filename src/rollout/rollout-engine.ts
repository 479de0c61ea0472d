import type { Decision } from "../core/decision.js";
import type { Query } from "../core/query.js";
import type { Random } from "../core/random.js";
import type { DecideConstraints, RoutingEngine } from "../core/routing-engine.js";
import type { Router } from "../routers/router.js";
import type { Target } from "../core/target.js";
import type { ShadowArm } from "./shadow-arm.js";

/** One loaded artifact and the engine built from it. */
export interface ArtifactEngine {
  readonly engine: RoutingEngine;
  /** Where the artifact was read from. */
  readonly path: string;
  /** Content version (`artifactVersionOf`, see `loadVersionedArtifact`). */
  readonly version: string;
}

/** A candidate artifact serving a seeded share of routed requests. */
export interface CanaryArm {
  readonly arm: ArtifactEngine;
  /** Share of routed requests the candidate decides, in [0, 1]. */
  readonly share: number;
}

/** Which engines decide: the served one, and optionally a shadow and a canary. Swapped whole, never edited. */
export interface RolloutState {
  readonly primary: ArtifactEngine;
  /** Decides on its own worker thread (see `startShadowArm`). */
  readonly shadow: ShadowArm | undefined;
  readonly canary: CanaryArm | undefined;
}

/** Options of {@link RolloutEngine}. */
export interface RolloutEngineOptions {
  /** Draws that pick the canary arm (seeded: `router.canary.seed`). */
  random: Random;
}

/**
 * The gateway's routing engine during a rollout: a holder whose {@link RolloutState} is replaced in one
 * assignment (`swap`), so a request that has started deciding keeps the engines it started with and
 * every later request sees the new ones — no lock, no dropped request.
 *
 * - **canary**: a seeded `share` of routed requests is served by the candidate. Both arms decide every
 *   request, so the logged propensity is the mixture policy's probability of the served model,
 *   `share × P_candidate(model) + (1 − share) × P_primary(model)` (P is 1 or 0 for a deterministic arm,
 *   the arm's own propensity for an exploring one), which keeps off-policy evaluation unbiased.
 * - **shadow**: the candidate decides the same request on its own worker thread (`startShadowArm`); the
 *   record its answer fills in is attached to the served decision for the trace.
 *
 * @example
 * const engine = new RolloutEngine({ primary, shadow: undefined, canary: undefined }, { random: createRandom(1) });
 * engine.swap({ ...engine.state, primary: next }); // later requests use `next`
 */
export class RolloutEngine implements RoutingEngine {
  #state: RolloutState;
  readonly #random: Random;

  constructor(state: RolloutState, options: RolloutEngineOptions) {
    this.#state = state;
    this.#random = options.random;
  }

  /** The engines deciding now. */
  get state(): RolloutState {
    return this.#state;
  }

  get routerName(): string {
    return this.#state.primary.engine.routerName;
  }

  get router(): Router | undefined {
    return this.#state.primary.engine.router;
  }

  get targets(): readonly Target[] {
    return this.#state.primary.engine.targets;
  }

  /** Replaces the engines for every request that starts deciding from now on; returns the old state. */
  swap(next: RolloutState): RolloutState {
    const previous = this.#state;
    this.#state = next;
    return previous;
  }

  /** An engine fixed to the current state, so one request's calls (targets, then decide) see one version. */
  pin(): RoutingEngine {
    return new PinnedRollout(this.#state, this.#random);
  }

  decide(query: Query, constraints?: DecideConstraints): Promise<Decision> {
    return decideWith(this.#state, this.#random, query, constraints);
  }
}

/** A rollout state frozen for one request. */
class PinnedRollout implements RoutingEngine {
  readonly routerName: string;
  readonly router: Router | undefined;
  readonly targets: readonly Target[];
  readonly #state: RolloutState;
  readonly #random: Random;

  constructor(state: RolloutState, random: Random) {
    this.#state = state;
    this.#random = random;
    this.routerName = state.primary.engine.routerName;
    this.router = state.primary.engine.router;
    this.targets = state.primary.engine.targets;
  }

  decide(query: Query, constraints?: DecideConstraints): Promise<Decision> {
    return decideWith(this.#state, this.#random, query, constraints);
  }
}

async function decideWith(state: RolloutState, random: Random, query: Query, constraints: DecideConstraints | undefined): Promise<Decision> {
  const decision = state.canary === undefined ? await state.primary.engine.decide(query, constraints) : await decideWithCanary(state.primary, state.canary, random, query, constraints);
  if (decision.artifact === undefined) decision.artifact = state.primary.version;
  if (state.shadow !== undefined) decision.shadow = state.shadow.decide(query, constraints);
  return decision;
}

async function decideWithCanary(primary: ArtifactEngine, canary: CanaryArm, random: Random, query: Query, constraints: DecideConstraints | undefined): Promise<Decision> {
  const useCanary = random() < canary.share;
  const primaryDecision = await primary.engine.decide(query, constraints);
  let canaryDecision: Decision;
  try {
    canaryDecision = await canary.arm.engine.decide(query, constraints);
  } catch {
    // The candidate cannot decide this request (e.g. none of its models is allowed): for this request
    // the mixture is the primary alone, so the primary serves with its own propensity.
    primaryDecision.arm = "primary";
    primaryDecision.artifact = primary.version;
    return primaryDecision;
  }
  const served = useCanary ? canaryDecision : primaryDecision;
  const model = served.model;
  served.propensity = canary.share * armProbability(canaryDecision, model) + (1 - canary.share) * armProbability(primaryDecision, model);
  served.arm = useCanary ? "canary" : "primary";
  served.artifact = useCanary ? canary.arm.version : primary.version;
  return served;
}

/**
 * P(arm serves `model`): its propensity when it chose `model` (1 when deterministic), 0 when a
 * deterministic arm chose another. An exploring arm that chose another model would give `model` some
 * probability its decision does not report; it counts as 0 (documented in docs/rollout.md: canary an
 * offline artifact for exact propensities).
 */
function armProbability(decision: Decision, model: string): number {
  return decision.model === model ? (decision.propensity ?? 1) : 0;
}
