import type { RoutingExample } from "../data/routing-example.js";
import { evaluate } from "../eval/evaluate.js";
import type { RouterReport } from "../eval/evaluation-report.js";

/** The evaluation report of one set of held-out predictions against the examples' true outcomes. */
export function candidateReport(examples: readonly RoutingExample[], models: readonly string[], predictions: { quality: Float64Array[]; costUsd: Float64Array[] }): RouterReport {
  const report = evaluate({
    dataset: "cross-validation",
    trainSplit: "fit",
    testSplit: "held-out",
    models: [...models],
    examples: [...examples],
    routers: [{ name: "candidate", followsObjective: true, quality: predictions.quality, costUsd: predictions.costUsd }],
  });
  return report.routers[0]!;
}

/**
 * How well predictions route, as one number to maximise in cross-validation: RouterBench's AIQ of the
 * predictions swept along willingness-to-pay, against the examples' true outcomes. It rewards exactly
 * what the product is judged on (choosing well at every budget), unlike a squared error, which also
 * rewards being accurate about models that are never worth choosing.
 */
export function routingScore(examples: readonly RoutingExample[], models: readonly string[], predictions: { quality: Float64Array[]; costUsd: Float64Array[] }): number {
  return candidateReport(examples, models, predictions).aiq;
}
