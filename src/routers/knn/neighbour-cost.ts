import { z } from "zod";
import { CostModel } from "../../core/cost-model.js";
import { SwitchyardError } from "../../core/errors.js";
import type { RoutingExample } from "../../data/routing-example.js";
import { encodedArraySchema, float32FromBase64, float32ToBase64 } from "../../util/base64-arrays.js";
import type { Neighbours } from "./knn-router.js";

/** Neighbours whose recorded costs make a cost prediction, unless the trainer is told otherwise. */
export const DEFAULT_COST_NEIGHBOURS = 20;

const stateSchema = z.object({
  k: z.number().int().positive(),
  line: z.unknown(),
  residuals: encodedArraySchema,
});

/** JSON-safe state of a {@link NeighbourCostPredictor}, stored inside the knn router's state. */
export type NeighbourCostState = z.infer<typeof stateSchema>;

/**
 * CARROT's separate cost estimate (Somerstep et al. 2025, "CARROT: A Cost Aware Rate Optimal Router"):
 * cost is predicted on its own, from the prompt, rather than assumed from prices. Here: the engine's
 * per-model line `a + b × promptTokens` (`CostModel`, fitted on the same training prompts) plus the
 * similarity-weighted mean, over the query's `k` nearest training prompts, of how far each model's
 * RECORDED cost was from that line. The correction captures output length, which depends on the task
 * and the model (a verbose model on coding prompts) and which the line cannot see. Where recorded costs
 * are exactly linear in prompt length (dcrouter's price × tokens), the residuals are ~0 and the
 * prediction is the line. Predictions are clamped at 0.
 */
export class NeighbourCostPredictor {
  readonly k: number;
  private readonly line: CostModel;
  private readonly models: readonly string[];
  /** Row-major residuals: `residuals[i × models.length + m]` = recorded − line for training prompt i. */
  private readonly residuals: Float32Array;

  constructor(options: { k: number; line: CostModel; models: readonly string[]; residuals: Float32Array }) {
    this.k = options.k;
    this.line = options.line;
    this.models = options.models;
    this.residuals = options.residuals;
  }

  /** Fits the line on the training prompts and records each prompt's residual per model. */
  static fit(examples: readonly RoutingExample[], promptTokens: readonly number[], models: readonly string[], k: number): NeighbourCostPredictor {
    const line = CostModel.fit(examples, promptTokens, models);
    const m = models.length;
    const residuals = new Float32Array(examples.length * m);
    examples.forEach((example, i) => {
      models.forEach((model, j) => {
        const recorded = example.outcomes[model]?.costUsd;
        residuals[i * m + j] = recorded === undefined ? 0 : recorded - line.predict(model, promptTokens[i] ?? 0);
      });
    });
    return new NeighbourCostPredictor({ k, line, models, residuals });
  }

  static fromState(state: unknown, models: readonly string[], count: number): NeighbourCostPredictor {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) throw new SwitchyardError("invalid_artifact", `knn router state: cost predictor is invalid at ${parsed.error.issues[0]?.path.join(".") ?? "?"}`);
    const residuals = float32FromBase64(parsed.data.residuals);
    if (residuals.length !== count * models.length) throw new SwitchyardError("invalid_artifact", "knn router state: cost residuals do not match the prompt count");
    return new NeighbourCostPredictor({ k: parsed.data.k, line: CostModel.fromState(parsed.data.line), models, residuals });
  }

  /** Predicted USD cost of every model for a query of `promptTokens` with these neighbours (most similar first). */
  predict(neighbours: Neighbours, promptTokens: number): Float64Array {
    const m = this.models.length;
    const correction = new Float64Array(m);
    let totalWeight = 0;
    const count = Math.min(this.k, neighbours.count);
    for (let r = 0; r < count; r++) {
      const similarity = neighbours.similarities[r]!;
      if (!(similarity > 0)) break;
      const row = neighbours.indices[r]! * m;
      for (let j = 0; j < m; j++) correction[j]! += similarity * this.residuals[row + j]!;
      totalWeight += similarity;
    }
    return Float64Array.from(this.models, (model, j) => Math.max(0, this.line.predict(model, promptTokens) + (totalWeight > 0 ? correction[j]! / totalWeight : 0)));
  }

  toState(): NeighbourCostState {
    return { k: this.k, line: this.line.toState(), residuals: float32ToBase64(this.residuals) };
  }
}
