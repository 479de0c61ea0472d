export { KnnRouter, topK, type KnnParams, type Neighbours } from "./knn-router.js";
export { knnRouterTrainer, defaultKnnParams } from "./knn-trainer.js";
export { SparseSimilarityIndex, DenseSimilarityIndex, type SimilarityIndex } from "./similarity-index.js";
export { TaskKnnRouter, taskKnnRouterTrainer, type TaskKnnParams } from "./task-knn.js";
export { NeighbourCostPredictor, DEFAULT_COST_NEIGHBOURS, type NeighbourCostState } from "./neighbour-cost.js";
