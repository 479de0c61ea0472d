import { z } from "zod";
import type { RoutingExample } from "../data/routing-example.js";
import { SwitchyardError } from "./errors.js";
import type { Target } from "./target.js";

/** Output tokens assumed for a target the training data says nothing about. */
export const DEFAULT_OUTPUT_TOKENS = 256;

const lineSchema = z.object({ interceptUsd: z.number(), usdPerPromptToken: z.number() });
const stateSchema = z.object({ kind: z.literal("linear-per-model"), models: z.record(z.string(), lineSchema) });

/** JSON-safe state of a fitted cost model. */
export type CostModelState = z.infer<typeof stateSchema>;

/**
 * Predicts what answering a prompt costs on each model. Fitted per model on the training outcomes as
 * `costUsd ≈ interceptUsd + usdPerPromptToken × promptTokens` (least squares, clamped non-negative):
 * the intercept absorbs the typical answer length, the slope the input price. A model without
 * training outcomes falls back to its configured prices with {@link DEFAULT_OUTPUT_TOKENS} output tokens.
 */
export class CostModel {
  private readonly lines: ReadonlyMap<string, z.infer<typeof lineSchema>>;

  constructor(lines: ReadonlyMap<string, z.infer<typeof lineSchema>>) {
    this.lines = lines;
  }

  static fit(examples: readonly RoutingExample[], promptTokens: readonly number[], models: readonly string[]): CostModel {
    const lines = new Map<string, z.infer<typeof lineSchema>>();
    for (const model of models) {
      let n = 0;
      let sumX = 0;
      let sumY = 0;
      let sumXX = 0;
      let sumXY = 0;
      examples.forEach((example, i) => {
        const outcome = example.outcomes[model];
        if (!outcome) return;
        const x = promptTokens[i] ?? 0;
        n++;
        sumX += x;
        sumY += outcome.costUsd;
        sumXX += x * x;
        sumXY += x * outcome.costUsd;
      });
      if (n === 0) continue;
      const meanX = sumX / n;
      const meanY = sumY / n;
      const varianceX = sumXX / n - meanX * meanX;
      let slope = varianceX > 1e-12 ? (sumXY / n - meanX * meanY) / varianceX : 0;
      let intercept = meanY - slope * meanX;
      if (slope < 0) {
        slope = 0;
        intercept = meanY;
      }
      if (intercept < 0) {
        // Refit through the origin so predictions stay non-negative.
        intercept = 0;
        slope = sumXX > 0 ? Math.max(0, sumXY / sumXX) : 0;
      }
      lines.set(model, { interceptUsd: intercept, usdPerPromptToken: slope });
    }
    return new CostModel(lines);
  }

  static fromState(state: unknown): CostModel {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) throw new SwitchyardError("invalid_artifact", "the artifact's cost model is invalid");
    return new CostModel(new Map(Object.entries(parsed.data.models)));
  }

  /** True when the model was seen in training. */
  knows(model: string): boolean {
    return this.lines.has(model);
  }

  /** Predicted USD cost of `model` answering a prompt of `promptTokens`, falling back to `target`'s prices. */
  predict(model: string, promptTokens: number, target?: Pick<Target, "inputUsdPerMTok" | "outputUsdPerMTok">): number {
    const line = this.lines.get(model);
    if (line) return line.interceptUsd + line.usdPerPromptToken * promptTokens;
    if (target) return (promptTokens * target.inputUsdPerMTok + DEFAULT_OUTPUT_TOKENS * target.outputUsdPerMTok) / 1_000_000;
    return 0;
  }

  toState(): CostModelState {
    return { kind: "linear-per-model", models: Object.fromEntries(this.lines) };
  }
}
