import type { CostModel } from "../core/cost-model.js";
import type { Router, RouteInput } from "../routers/router.js";
import type { TrainingSet } from "../routers/router-trainer.js";

/** A router's predictions on a batch of prompts, aligned with `models`. */
export interface PredictionMatrix {
  quality: Float64Array[];
  costUsd: Float64Array[];
}

/** The route input of row `i` of a training set. */
export function routeInputOf(data: TrainingSet, i: number): RouteInput {
  const example = data.examples[i]!;
  return { text: example.prompt, embedding: data.embeddings[i]!, sparseEmbedding: data.sparseEmbeddings?.[i], promptTokens: data.promptTokens[i]!, id: example.id };
}

/**
 * Predicted quality and cost of every model on every prompt of `data`: the router's quality, and its own
 * cost prediction when it has one, else the cost model's. Models the router does not know get quality 0.
 */
export function predictAll(router: Router, costModel: CostModel, data: TrainingSet): PredictionMatrix {
  const position = data.models.map((model) => router.models.indexOf(model));
  const quality: Float64Array[] = [];
  const costUsd: Float64Array[] = [];
  for (let i = 0; i < data.examples.length; i++) {
    const input = routeInputOf(data, i);
    const predicted = router.predictQuality(input);
    const ownCost = router.predictCostUsd?.(input);
    quality.push(Float64Array.from(position, (p) => (p >= 0 ? predicted[p]! : 0)));
    costUsd.push(Float64Array.from(data.models, (model, j) => (ownCost && position[j]! >= 0 ? ownCost[position[j]!]! : costModel.predict(model, input.promptTokens))));
  }
  return { quality, costUsd };
}
