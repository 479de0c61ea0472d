import type { RoutingExample } from "../../data/routing-example.js";
import { SwitchyardError } from "../../core/errors.js";
import type { Router, RouteInput, RouterState } from "../router.js";
import type { RouterTrainer } from "../router-trainer.js";

/**
 * Evaluation only: knows every model's true score and cost on the evaluated prompts (looked up by
 * prompt id) and so predicts them exactly. Swept along willingness-to-pay it traces the best curve any
 * router could reach (RouterBench's oracle).
 */
export class OracleRouter implements Router {
  readonly kind = "oracle";
  readonly followsObjective = true;
  readonly models: readonly string[];
  private readonly answers: ReadonlyMap<string, RoutingExample>;

  constructor(models: readonly string[], examples: readonly RoutingExample[]) {
    this.models = models;
    this.answers = new Map(examples.map((example) => [example.id, example]));
  }

  private lookup(input: RouteInput): RoutingExample {
    const example = input.id === undefined ? undefined : this.answers.get(input.id);
    if (!example) throw new SwitchyardError("invalid_request", `the oracle has no answers for prompt ${input.id ?? "(no id)"}`);
    return example;
  }

  predictQuality(input: RouteInput): Float64Array {
    const example = this.lookup(input);
    return Float64Array.from(this.models, (model) => example.outcomes[model]?.score ?? 0);
  }

  predictCostUsd(input: RouteInput): Float64Array {
    const example = this.lookup(input);
    return Float64Array.from(this.models, (model) => example.outcomes[model]?.costUsd ?? Number.POSITIVE_INFINITY);
  }

  toState(): RouterState {
    throw new SwitchyardError("invalid_request", "the oracle is evaluation-only and cannot be saved in an artifact");
  }
}

/** The oracle cannot be trained from a training split: it is built from the evaluated examples. */
export const oracleRouterTrainer: RouterTrainer = {
  kind: "oracle",
  description: "evaluation only: knows the answers (upper bound)",
  servable: false,
  train: () => {
    throw new SwitchyardError("invalid_request", "the oracle is built from the evaluated examples with createOracleRouter, not trained");
  },
  fromState: () => {
    throw new SwitchyardError("invalid_artifact", "the oracle is evaluation-only and has no artifact");
  },
};

/** The oracle for a set of evaluated examples. */
export function createOracleRouter(models: readonly string[], examples: readonly RoutingExample[]): OracleRouter {
  return new OracleRouter(models, examples);
}
