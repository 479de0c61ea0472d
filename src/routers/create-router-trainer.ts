import { SwitchyardError } from "../core/errors.js";
import { bestSingleRouterTrainer, cheapestRouterTrainer, oracleRouterTrainer, randomRouterTrainer } from "./baselines/index.js";
import { knnRouterTrainer, taskKnnRouterTrainer } from "./knn/index.js";
import { createAutoRouterTrainer } from "./auto/index.js";
import { createEnsembleRouterTrainer } from "./ensemble/index.js";
import { linearRouterTrainer } from "./linear/index.js";
import { clusterRouterTrainer } from "./cluster/index.js";
import { matrixFactorizationRouterTrainer } from "./matrix-factorization/index.js";
import { mlpRouterTrainer } from "./mlp/index.js";
import { createBanditRouterTrainer } from "./bandit/index.js";
import type { RouterTrainer } from "./router-trainer.js";

/** Every routing strategy Switchyard knows, by name. */
export const routerTrainers: ReadonlyMap<string, RouterTrainer> = new Map(
  [randomRouterTrainer, cheapestRouterTrainer, bestSingleRouterTrainer, oracleRouterTrainer, knnRouterTrainer, taskKnnRouterTrainer, linearRouterTrainer, mlpRouterTrainer, matrixFactorizationRouterTrainer, clusterRouterTrainer, createEnsembleRouterTrainer((kind) => routerTrainerFor(kind)), createAutoRouterTrainer((kind) => routerTrainerFor(kind)), ...(["linucb", "thompson", "eps-greedy"] as const).map((kind) => createBanditRouterTrainer(kind, (name) => routerTrainerFor(name)))].map((trainer) => [trainer.kind, trainer]),
);

/** The trainer for `kind`, or an `invalid_config` error listing the known strategies. */
export function routerTrainerFor(kind: string): RouterTrainer {
  const trainer = routerTrainers.get(kind);
  if (!trainer) throw new SwitchyardError("invalid_config", `unknown router ${JSON.stringify(kind)} (known: ${[...routerTrainers.keys()].join(", ")})`, { param: "router" });
  return trainer;
}
