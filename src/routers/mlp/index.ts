export { MlpRouter } from "./mlp-router.js";
export { MlpNetwork, type MlpWeights } from "./mlp-network.js";
export { mlpRouterTrainer, type MlpRouterState } from "./mlp-trainer.js";
export { mlpParamsSchema, type MlpParams } from "./mlp-params.js";
