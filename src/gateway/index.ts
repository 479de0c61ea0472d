/**
 * The OpenAI-compatible gateway: configuration, the hono app, and serving it.
 *
 * @example
 * import { loadConfig, startGateway } from "switchyard/gateway";
 */
export {
  apiKeyOf, authConfigSchema, gatewayConfigSchema, gatewayTargetSchema, limitsConfigSchema, loadConfig, loggingConfigSchema, parseConfig,
  resilienceConfigSchema, routerConfigSchema, serverConfigSchema, storeSectionSchema, tracesConfigSchema, upstreamConfigSchema,
} from "./config.js";
export type { GatewayConfig, GatewayTarget, ParseConfigOptions, UpstreamConfig } from "./config.js";
export { createGatewayServices } from "./gateway-services.js";
export type { GatewayServices, GatewayServicesDeps } from "./gateway-services.js";
export { costHeader, fallbacksHeader } from "./routes/chat-completions.js";
export { chatCompletionRequestSchema, parseChatCompletionRequest } from "./chat-request.js";
export type { ChatCompletionRequest } from "./chat-request.js";
export { autoModel, chooseTarget, qualityHeader } from "./choose-target.js";
export type { ChooseTargetOptions, TargetChoice } from "./choose-target.js";
export { createGateway } from "./create-gateway.js";
export { applyRouteStages, guardHeader, routeHeader } from "./apply-route-stages.js";
export type { RouteStages } from "./apply-route-stages.js";
export { loadGatewayStages } from "./gateway-stages.js";
export type { GatewayStages, GatewayStagesDeps } from "./gateway-stages.js";
export { serveStrategy, strategyCostEstimateUsd } from "./serve-strategy.js";
export type { ServeStrategyInput } from "./serve-strategy.js";
export type { GatewayDeps } from "./create-gateway.js";
export { decisionHeaderNames, decisionHeaders, fixedRouterName } from "./decision-headers.js";
export { errorBodyOf, errorResponse, toSwitchyardError } from "./error-response.js";
export type { OpenAIErrorBody } from "./error-response.js";
export type { CompletionRecord, GatewayContext } from "./gateway-context.js";
export { silentLogger } from "./gateway-logger.js";
export type { GatewayLogger } from "./gateway-logger.js";
export { defaultShutdownGraceMs, isLoopbackHost, listen, startGateway } from "./serve.js";
export { openConfiguredStore, pepperFileOf, startGatewayFromConfig } from "./start-gateway-from-config.js";
export type { GatewayFromConfig, StartGatewayFromConfigOptions } from "./start-gateway-from-config.js";
export type { DrainableServer, GatewayServer, RunningServer, StartGatewayOptions } from "./serve.js";
export { sseResponseStream } from "./sse-response-stream.js";
export type { SseResponseStreamOptions } from "./sse-response-stream.js";
export { createSseStreamTap } from "./sse-stream-tap.js";
export type { SseStreamTap, SseStreamTapOptions, StreamUsage } from "./sse-stream-tap.js";
export { readJsonBody } from "./read-json-body.js";
export { clientRequestIdOf, requestIdOf } from "./request-id.js";
export { adminConfigSchema, createAdminKey } from "../limits/admin-key.js";
export type { AdminConfig, AdminKey } from "../limits/admin-key.js";
export { createRolloutController } from "../rollout/rollout-controller.js";
export type { ReloadRequest, RolloutController, RolloutControllerOptions, RolloutStatus } from "../rollout/rollout-controller.js";
export { RolloutEngine } from "../rollout/rollout-engine.js";
export type { ArtifactEngine, CanaryArm, RolloutState } from "../rollout/rollout-engine.js";
