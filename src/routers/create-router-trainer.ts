import { SwitchyardError } from "../core/errors.js";
import { bestSingleRouterTrainer, cheapestRouterTrainer, oracleRouterTrainer, randomRouterTrainer } from "./baselines/index.js";
import { knnRouterTrainer } from "./knn/index.js";
import type { RouterTrainer } from "./router-trainer.js";

/** Every routing strategy Switchyard knows, by name. */
export const routerTrainers: ReadonlyMap<string, RouterTrainer> = new Map(
  [randomRouterTrainer, cheapestRouterTrainer, bestSingleRouterTrainer, oracleRouterTrainer, knnRouterTrainer].map((trainer) => [trainer.kind, trainer]),
);

/** The trainer for `kind`, or an `invalid_config` error listing the known strategies. */
export function routerTrainerFor(kind: string): RouterTrainer {
  const trainer = routerTrainers.get(kind);
  if (!trainer) throw new SwitchyardError("invalid_config", `unknown router ${JSON.stringify(kind)} (known: ${[...routerTrainers.keys()].join(", ")})`, { param: "router" });
  return trainer;
}
