/**
 * Switchyard as a library: load a trained router and route in-process, train and evaluate routers from
 * code. The gateway is `switchyard/gateway`; the replay upstream for tests is `switchyard/testing`.
 * Everything not exported here is internal and may change without notice.
 *
 * @example
 * import { loadRouter } from "switchyard";
 * const router = await loadRouter("router.json");
 * const decision = await router.decide({ messages: [{ role: "user", content: "Summarise this contract." }], quality: 0.7 });
 */
export { loadRouter } from "./library/load-router.js";
export type { LoadRouterOptions, LoadedRouter, RouteRequest } from "./library/load-router.js";
export { train } from "./library/train.js";
export type { TrainOptions } from "./library/train.js";
export { evaluateRouters } from "./library/evaluate-routers.js";
export type { EvaluateRoutersOptions } from "./library/evaluate-routers.js";
export type { DatasetSource } from "./library/dataset-source.js";

export { loadDataset } from "./data/load-dataset.js";
export type { DatasetModel, Outcome, RoutingDataset, RoutingExample } from "./data/routing-example.js";
export { loadRouterArtifact, saveRouterArtifact } from "./artifacts/router-artifact.js";
export type { RouterArtifact } from "./artifacts/router-artifact.js";
export { createRoutingEngine } from "./core/create-routing-engine.js";
export type { CreateRoutingEngineOptions } from "./core/create-routing-engine.js";
export type { DecideConstraints, RoutingEngine } from "./core/routing-engine.js";
export type { CandidateScore, Decision } from "./core/decision.js";
export type { ChatMessage, Query, RouteOptions } from "./core/query.js";
export type { Target } from "./core/target.js";
export type { Random } from "./core/random.js";
export type { EmbedderSpec } from "./training/training-set.js";
export type { EvaluationReport, KnobSpendReport, RouterReport, SingleModelReport } from "./eval/evaluation-report.js";
export { SwitchyardError, errorCodes, isSwitchyardError } from "./core/errors.js";
export type { ErrorCode, SwitchyardErrorOptions } from "./core/errors.js";
