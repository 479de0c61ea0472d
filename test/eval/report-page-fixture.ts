import type { RoutingExample } from "../../src/data/routing-example.js";
import type { EvaluationInput } from "../../src/eval/evaluation-input.js";

/** Prompt and name payloads that must show as text on the report page, never run. */
export const scriptPayload = "<script>window.__pwned = 1</script> what is 2 + 2?";
export const attributePayload = '"><img src=x onerror="window.__pwned = 2"> which is larger?';
export const hostileModel = '"><img src=x onerror="window.__pwned = 3">large';
export const hostileTask = "<b>gamma</b>";

/**
 * A report-page fixture: 64 prompts in three tasks × three models (one with a hostile name), a router that
 * follows the objective with a knob calibration, and a fixed router. Outcomes follow a fixed pattern so
 * the cheap model is right on some prompts and only the large one on others.
 */
export function reportPageInput(): EvaluationInput {
  const models = ["small", "medium", hostileModel];
  const tasks = ["alpha", "beta", hostileTask];
  const examples: RoutingExample[] = Array.from({ length: 64 }, (_, i) => {
    const prompt = i === 0 ? scriptPayload : i === 1 ? attributePayload : `question ${i}: ${"lorem ipsum ".repeat(i === 2 ? 60 : 1 + (i % 7))}end ${i}`;
    const scale = 1 + (i % 5) / 10;
    return {
      id: `prompt-${String(i).padStart(3, "0")}`,
      prompt,
      task: tasks[i % 3] as string,
      outcomes: {
        small: { score: i % 4 === 0 ? 1 : 0, costUsd: 1e-4 * scale },
        medium: { score: i % 4 !== 3 ? 1 : 0, costUsd: 1e-3 * scale },
        [hostileModel]: { score: i % 9 === 8 ? 0 : 1, costUsd: 1e-2 * scale },
      },
    };
  });
  const truthScore = (example: RoutingExample, model: string): number => example.outcomes[model]?.score ?? 0;
  const predicted = examples.map((example, i) => Float64Array.from(models, (model, m) => 0.2 + 0.3 * truthScore(example, model) + 0.05 * m + ((i * 7 + m * 3) % 10) / 20));
  const costs = examples.map((example) => Float64Array.from(models, (model) => example.outcomes[model]?.costUsd ?? 0));
  return {
    dataset: "page <fixture>",
    trainSplit: "train",
    testSplit: "test",
    models,
    examples,
    routers: [
      { name: "knn <script>x</script>", followsObjective: true, quality: predicted, costUsd: costs, calibration: { willingnessToPay: [0, 0.001, 0.01, 0.1, 1], spendUsd: [1e-4, 3e-4, 1.5e-3, 6e-3, 1.2e-2] } },
      { name: "best-single", followsObjective: false, quality: examples.map(() => Float64Array.from([0.3, 0.5, 0.9])), costUsd: costs },
    ],
  };
}
