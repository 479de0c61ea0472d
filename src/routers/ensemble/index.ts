export { EnsembleRouter, combine, describeMeta, type EnsembleMember, type MetaModel } from "./ensemble-router.js";
export { createEnsembleRouterTrainer, type TrainerResolver } from "./ensemble-trainer.js";
export { ensembleParamsSchema, defaultMembers, type EnsembleParams, type MemberSpec } from "./ensemble-params.js";
export { finalQuestionOf } from "../../features/final-question.js";
