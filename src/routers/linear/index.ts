export { LinearRouter, type LinearCostPredictor, type LinearLink } from "./linear-router.js";
export { linearRouterTrainer, type LinearRouterState } from "./linear-trainer.js";
export { linearParamsSchema, type LinearParams } from "./linear-params.js";
