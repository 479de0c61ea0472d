import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import type { Router, RouteInput, RouterState } from "../router.js";
import type { RouterTrainer, TrainingSet } from "../router-trainer.js";

/**
 * A router that always picks one model whatever the knob says (predicted quality 1 for it, 0 for the
 * rest, `followsObjective: false`). The `cheapest` and `best-single` baselines are this router with
 * the model chosen on the training split.
 */
export class FixedChoiceRouter implements Router {
  readonly followsObjective = false;
  readonly kind: string;
  readonly models: readonly string[];
  readonly choice: string;
  private readonly prediction: Float64Array;

  constructor(kind: string, models: readonly string[], choice: string) {
    this.kind = kind;
    this.models = models;
    this.choice = choice;
    this.prediction = Float64Array.from(models, (model) => (model === choice ? 1 : 0));
  }

  predictQuality(_input: RouteInput): Float64Array {
    return this.prediction.slice();
  }

  explain(): string[] {
    return [`${this.kind} always chooses ${this.choice}`];
  }

  toState(): RouterState {
    return { kind: this.kind, models: [...this.models], choice: this.choice };
  }
}

const stateSchema = z.object({ kind: z.string(), models: z.array(z.string()).min(1), choice: z.string() });

/** Mean of `value(example, model)` over the training examples, per model. */
function meanPerModel(data: TrainingSet, value: (outcome: { score: number; costUsd: number }) => number): number[] {
  return data.models.map((model) => {
    let sum = 0;
    let count = 0;
    for (const example of data.examples) {
      const outcome = example.outcomes[model];
      if (outcome) {
        sum += value(outcome);
        count++;
      }
    }
    return count > 0 ? sum / count : Number.NaN;
  });
}

function createFixedTrainer(kind: string, description: string, choose: (data: TrainingSet) => string): RouterTrainer {
  return {
    kind,
    description,
    servable: true,
    train: (data) => {
      if (data.models.length === 0) throw new SwitchyardError("invalid_dataset", `${kind} needs at least one model`);
      return new FixedChoiceRouter(kind, data.models, choose(data));
    },
    fromState: (state) => {
      const parsed = stateSchema.safeParse(state);
      if (!parsed.success || parsed.data.kind !== kind || !parsed.data.models.includes(parsed.data.choice)) {
        throw new SwitchyardError("invalid_artifact", `${kind} router state is invalid`);
      }
      return new FixedChoiceRouter(kind, parsed.data.models, parsed.data.choice);
    },
  };
}

function argBest(values: readonly number[], models: readonly string[], better: (a: number, b: number) => boolean): string {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (better(values[i]!, values[best]!)) best = i;
  return models[best]!;
}

/** Always the model with the lowest mean cost on the training split. */
export const cheapestRouterTrainer = createFixedTrainer("cheapest", "always the model with the lowest mean training cost (baseline)", (data) =>
  argBest(meanPerModel(data, (o) => o.costUsd), data.models, (a, b) => a < b),
);

/** Always the model with the best mean score on the training split (ties: the cheaper one). */
export const bestSingleRouterTrainer = createFixedTrainer("best-single", "always the model with the best mean training score (baseline)", (data) => {
  const scores = meanPerModel(data, (o) => o.score);
  const costs = meanPerModel(data, (o) => o.costUsd);
  let best = 0;
  for (let i = 1; i < scores.length; i++) {
    if (scores[i]! > scores[best]! + 1e-12 || (Math.abs(scores[i]! - scores[best]!) <= 1e-12 && costs[i]! < costs[best]!)) best = i;
  }
  return data.models[best]!;
});
