import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import type { Router, RouteInput, RouterState } from "../router.js";
import type { RouterTrainer } from "../router-trainer.js";

/** FNV-1a of a string, for a per-prompt deterministic draw. */
function hashString(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

/**
 * Picks a model uniformly at random per prompt (RouterBench's random baseline). The draw is a hash of
 * the prompt and the seed, so the same prompt always gets the same model and evaluations repeat exactly.
 */
export class RandomRouter implements Router {
  readonly kind = "random";
  readonly followsObjective = false;
  readonly models: readonly string[];
  readonly seed: number;

  constructor(models: readonly string[], seed: number) {
    this.models = models;
    this.seed = seed;
  }

  predictQuality(input: RouteInput): Float64Array {
    const prediction = new Float64Array(this.models.length);
    prediction[hashString(input.text, this.seed) % this.models.length] = 1;
    return prediction;
  }

  toState(): RouterState {
    return { kind: this.kind, models: [...this.models], seed: this.seed };
  }
}

const stateSchema = z.object({ kind: z.literal("random"), models: z.array(z.string()).min(1), seed: z.number().int() });

/** Trainer for {@link RandomRouter} (nothing to learn but the model list). */
export const randomRouterTrainer: RouterTrainer = {
  kind: "random",
  description: "a uniformly random model per prompt, seeded (baseline)",
  servable: true,
  train: (data, options) => {
    if (data.models.length === 0) throw new SwitchyardError("invalid_dataset", "random needs at least one model");
    return new RandomRouter(data.models, options.seed);
  },
  fromState: (state) => {
    const parsed = stateSchema.safeParse(state);
    if (!parsed.success) throw new SwitchyardError("invalid_artifact", "random router state is invalid");
    return new RandomRouter(parsed.data.models, parsed.data.seed);
  },
};
