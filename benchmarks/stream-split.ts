import type { RoutingExample } from "../src/data/routing-example.js";
import { createRandom, shuffled } from "../src/core/random.js";
import { trainRouter, type TrainedRouter } from "../src/training/train-router.js";
import { prepareTraining, type PreparedTraining } from "../src/training/training-set.js";

/** A dataset split the way `simulate` splits it, with the offline reference trained on the history. */
export interface StreamSplit {
  history: RoutingExample[];
  stream: RoutingExample[];
  prepared: PreparedTraining;
  /** `offline-knn`: kNN trained on the history alone. */
  reference: TrainedRouter;
}

/**
 * The split `simulate` makes — a seeded 30 % history (the offline router's labels), the rest streamed once in
 * that seeded order — for benchmarks that replay the stream with their own learners.
 */
export async function streamSplit(examples: readonly RoutingExample[], models: readonly string[], seed: number): Promise<StreamSplit> {
  const order = shuffled(examples, createRandom(seed));
  const cut = Math.round(order.length * 0.3);
  const history = order.slice(0, cut);
  const stream = order.slice(cut);
  const prepared = await prepareTraining(history, models);
  return { history, stream, prepared, reference: trainRouter(prepared, { router: "knn", seed }) };
}

/** Reward at `cost` on a curve of (cost, reward) points, linearly interpolated (clamped at the ends). */
export function rewardAtCost(points: ReadonlyArray<{ cost: number; reward: number }>, cost: number): number {
  const sorted = [...points].sort((a, b) => a.cost - b.cost);
  if (cost <= sorted[0]!.cost) return sorted[0]!.reward;
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.cost >= cost) {
      const a = sorted[i - 1]!;
      const b = sorted[i]!;
      return a.reward + ((cost - a.cost) / Math.max(1e-18, b.cost - a.cost)) * (b.reward - a.reward);
    }
  }
  return sorted.at(-1)!.reward;
}
