import type { RoutingExample } from "../../src/data/routing-example.js";
import type { EvaluationInput, RouterPredictions } from "../../src/eval/evaluation-input.js";

/**
 * The hand-computed toy used across the evaluation tests: 3 examples × 2 models.
 *
 * | example | cheap: score, cost | pricey: score, cost |
 * |---------|--------------------|---------------------|
 * | e1      | 1, $1              | 1, $10              |
 * | e2      | 0, $1              | 1, $10              |
 * | e3      | 0, $2              | 0, $20              |
 *
 * Singles: cheap (4/3, 1/3), pricey (40/3, 2/3). The objective router's predictions switch e2 to pricey
 * above wtp 9/0.7 ≈ 12.86, e3 above 18/0.15 = 120, e1 above 9/0.05 = 180.
 */
export const toyModels = ["cheap", "pricey"];

export function toyExamples(): RoutingExample[] {
  const example = (id: string, cheap: [number, number], pricey: [number, number]): RoutingExample => ({
    id,
    prompt: `prompt ${id}`,
    outcomes: { cheap: { score: cheap[0], costUsd: cheap[1] }, pricey: { score: pricey[0], costUsd: pricey[1] } },
  });
  return [example("e1", [1, 1], [1, 10]), example("e2", [0, 1], [1, 10]), example("e3", [0, 2], [0, 20])];
}

export function rows(values: number[][]): Float64Array[] {
  return values.map((row) => Float64Array.from(row));
}

export function toyObjectiveRouter(extra: Partial<RouterPredictions> = {}): RouterPredictions {
  return {
    name: "knn",
    followsObjective: true,
    quality: rows([
      [0.9, 0.95],
      [0.2, 0.9],
      [0.5, 0.65],
    ]),
    costUsd: rows([
      [1, 10],
      [1, 10],
      [2, 20],
    ]),
    ...extra,
  };
}

export function toyFixedRouter(name = "best-single"): RouterPredictions {
  return {
    name,
    followsObjective: false,
    quality: rows([
      [0.3, 0.6],
      [0.3, 0.6],
      [0.3, 0.6],
    ]),
    costUsd: rows([
      [1, 10],
      [1, 10],
      [2, 20],
    ]),
  };
}

export function toyInput(routers: RouterPredictions[] = [toyObjectiveRouter(), toyFixedRouter()]): EvaluationInput {
  return { dataset: "toy", trainSplit: "train", testSplit: "test", models: [...toyModels], examples: toyExamples(), routers };
}

/** Asserts |actual − expected| ≤ 1e-12 (scaled), with a readable message. */
export function near(actual: number | null | undefined, expected: number, message = ""): void {
  if (typeof actual !== "number" || Math.abs(actual - expected) > 1e-12 * Math.max(1, Math.abs(expected))) {
    throw new Error(`${message} expected ${expected}, got ${String(actual)}`);
  }
}
