export { MatrixFactorizationRouter, type MatrixFactorizationObjective } from "./matrix-factorization-router.js";
export {
  matrixFactorizationRouterTrainer,
  trainMatrixFactorizationFromPreferences,
  type MatrixFactorizationRouterState,
  type Preference,
  type PreferenceTrainingSet,
} from "./matrix-factorization-trainer.js";
export { matrixFactorizationParamsSchema, type MatrixFactorizationParams } from "./matrix-factorization-params.js";
