export { AutoRouter } from "./auto-router.js";
export { createAutoRouterTrainer, extraAutoCandidates } from "./auto-trainer.js";
