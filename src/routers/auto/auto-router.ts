import type { Router, RouteInput, RouterState } from "../router.js";

/**
 * The router `auto` chose: it routes exactly as its winner does, and its state records the winner's
 * state (rebuilt through the registry) together with every candidate's cross-validation score.
 */
export class AutoRouter implements Router {
  readonly kind = "auto";
  readonly chosen: Router;
  readonly cv: unknown;
  /** The winner's own cost prediction, when it has one. */
  readonly predictCostUsd?: (input: RouteInput) => Float64Array;

  constructor(chosen: Router, cv: unknown) {
    this.chosen = chosen;
    this.cv = cv;
    if (chosen.predictCostUsd) this.predictCostUsd = (input) => chosen.predictCostUsd!(input);
  }

  get models(): readonly string[] {
    return this.chosen.models;
  }

  get followsObjective(): boolean {
    return this.chosen.followsObjective;
  }

  predictQuality(input: RouteInput): Float64Array {
    return this.chosen.predictQuality(input);
  }

  explain(input: RouteInput): string[] {
    return [`auto chose ${this.chosen.kind}`, ...(this.chosen.explain?.(input) ?? [])];
  }

  toState(): RouterState {
    return { kind: "auto", chosen: this.chosen.toState(), cv: this.cv };
  }
}
