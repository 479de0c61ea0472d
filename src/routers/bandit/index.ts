export { ArmModel, type ArmModelState, type FeatureEntries } from "./arm-model.js";
export { banditParamsSchema, type BanditKind, type BanditParams } from "./bandit-params.js";
export { BanditRouter, BANDIT_STATE_VERSION, type BanditRouterParts } from "./bandit-router.js";
export { createBanditRouterTrainer } from "./bandit-trainer.js";
export { chooseArm, argmaxObjective, type ArmScores, type ArmChoice, type ExplorationPolicy } from "./choose-arm.js";
export { CostRatios } from "./cost-ratio.js";
export { createBanditRouter, fitBanditOnLabels, tokenScaleOf, DEFAULT_TOKEN_SCALE, type CreateBanditRouterOptions } from "./create-bandit-router.js";
export { PriorQuality, type PriorSource } from "./prior-quality.js";
export { SharedModel } from "./shared-model.js";
