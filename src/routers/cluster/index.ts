export { ClusterRouter } from "./cluster-router.js";
export { clusterRouterTrainer, refitClusterRouter, type ClusterRouterState } from "./cluster-trainer.js";
export { addModel, type AddModelOptions, type AnchorScore } from "./add-model.js";
export { clusterParamsSchema, type ClusterParams } from "./cluster-params.js";
export { clusterWeights, type ClusterGeometry } from "./cluster-assignment.js";
