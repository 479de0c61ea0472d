import { SwitchyardError } from "../core/errors.js";
import type { RoutingExample } from "../data/routing-example.js";

/** The simulation scenarios (issue 13, item 7). */
export const SCENARIOS = ["stationary", "drift", "price-change", "price-cut", "new-model"] as const;
/** One simulation scenario. */
export type ScenarioName = (typeof SCENARIOS)[number];

/** A scenario made concrete for one dataset split: what changes, for which model, from which step. */
export interface Scenario {
  name: ScenarioName;
  /** The model the scenario acts on (none for `stationary`). */
  model?: string;
  /** First streamed step at which the change is in effect. */
  fromStep: number;
  /** Models in the labelled history (the `new-model` one is removed from it). */
  historyModels: readonly string[];
  /** Whether `model` may be routed to at `step`. */
  available(model: string, step: number): boolean;
  /** The reward of `model` on `example` at `step`, as the scenario modifies it. */
  reward(example: RoutingExample, model: string, step: number): number;
  /** The cost of `model` on `example` at `step`, as the scenario modifies it. */
  costUsd(example: RoutingExample, model: string, step: number): number;
}

/** Checks a scenario name (an `invalid_config` error naming `--scenario` otherwise). */
export function parseScenarioName(name: string): ScenarioName {
  if ((SCENARIOS as readonly string[]).includes(name)) return name as ScenarioName;
  throw new SwitchyardError("invalid_config", `--scenario must be one of ${SCENARIOS.join(", ")}, got ${JSON.stringify(name)}`, { param: "--scenario" });
}

function meanOver(history: readonly RoutingExample[], model: string, field: "score" | "costUsd"): number {
  let sum = 0;
  let count = 0;
  for (const example of history) {
    const outcome = example.outcomes[model];
    if (!outcome) continue;
    sum += outcome[field];
    count++;
  }
  return count > 0 ? sum / count : Number.NaN;
}

/** The model with the best mean score on the history (ties: the first in `models`). */
export function bestModelOn(history: readonly RoutingExample[], models: readonly string[]): string {
  return models.reduce((best, model) => (meanOver(history, model, "score") > meanOver(history, best, "score") ? model : best));
}

/** The model with the lowest mean cost on the history. */
export function cheapestModelOn(history: readonly RoutingExample[], models: readonly string[]): string {
  return models.reduce((best, model) => (meanOver(history, model, "costUsd") < meanOver(history, best, "costUsd") ? model : best));
}

/**
 * The scenario exactly as issue 13 defines it, with S = streamed steps:
 * - `drift`: from step ⌊S/2⌋ on, every score of the model best on the history is multiplied by 0.5;
 * - `price-change`: from step ⌊S/2⌋ on, the cheapest model's costs are multiplied by 20;
 * - `price-cut` (not in the issue; a price change that matters where the cheapest model carries no
 *   traffic): from step ⌊S/2⌋ on, the costs of the model best on the history are divided by 20;
 * - `new-model`: the model best on the history is removed from the history (no router trained on the
 *   history sees it) and becomes routable at step ⌊S/4⌋.
 */
export function createScenario(name: ScenarioName, history: readonly RoutingExample[], models: readonly string[], steps: number): Scenario {
  const outcome = (example: RoutingExample, model: string) => example.outcomes[model]!;
  const base = {
    historyModels: models,
    available: () => true,
    reward: (example: RoutingExample, model: string) => outcome(example, model).score,
    costUsd: (example: RoutingExample, model: string) => outcome(example, model).costUsd,
  };
  switch (name) {
    case "stationary":
      return { name, fromStep: 0, ...base };
    case "drift": {
      const model = bestModelOn(history, models);
      const fromStep = Math.floor(steps / 2);
      return { name, model, fromStep, ...base, reward: (example, m, step) => outcome(example, m).score * (m === model && step >= fromStep ? 0.5 : 1) };
    }
    case "price-change": {
      const model = cheapestModelOn(history, models);
      const fromStep = Math.floor(steps / 2);
      return { name, model, fromStep, ...base, costUsd: (example, m, step) => outcome(example, m).costUsd * (m === model && step >= fromStep ? 20 : 1) };
    }
    case "price-cut": {
      const model = bestModelOn(history, models);
      const fromStep = Math.floor(steps / 2);
      return { name, model, fromStep, ...base, costUsd: (example, m, step) => outcome(example, m).costUsd / (m === model && step >= fromStep ? 20 : 1) };
    }
    case "new-model": {
      const model = bestModelOn(history, models);
      const fromStep = Math.floor(steps / 4);
      return { name, model, fromStep, ...base, historyModels: models.filter((m) => m !== model), available: (m, step) => m !== model || step >= fromStep };
    }
  }
}
