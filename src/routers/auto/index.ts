export { AutoRouter } from "./auto-router.js";
export { createAutoRouterTrainer, defaultAutoMembers, denseAutoCandidates, extraAutoCandidates, maxDenseDimensionForFitted } from "./auto-trainer.js";
