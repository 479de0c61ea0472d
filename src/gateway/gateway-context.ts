import type { Decision } from "../core/decision.js";
import type { RoutingEngine } from "../core/routing-engine.js";
import type { GuardStage } from "../guard/guard-stage.js";
import type { UpstreamClient } from "../providers/upstream-client.js";
import type { PolicyRouter } from "../routers/policy/policy-router.js";
import type { StrategyHandler } from "../strategies/strategy-handler.js";
import type { GatewayConfig, GatewayTarget, UpstreamConfig } from "./config.js";
import type { GatewayLogger } from "./gateway-logger.js";
import type { GatewayServices } from "./gateway-services.js";
import type { StreamUsage } from "./sse-stream-tap.js";
import type { OnlineLearner } from "../learning/online-learner.js";
import type { GatewayBudgetPacing } from "../learning/budget-pacing.js";

/** What one answered chat completion did (for traces, metrics and budgets). */
export interface CompletionRecord {
  requestId: string;
  /** Target id that answered. */
  targetId: string;
  /** The routing decision; undefined when the client named a target. */
  decision: Decision | undefined;
  stream: boolean;
  /** Token usage the upstream reported, when it did. */
  usage: StreamUsage | undefined;
  /** From the request's arrival to the end of the answer (the last byte for streams), per `now()`. */
  durationMs: number;
}

/** Everything the route handlers share, built once by `createGateway`. */
export interface GatewayContext {
  readonly config: GatewayConfig;
  readonly engine: RoutingEngine;
  readonly upstreamClient: UpstreamClient;
  readonly logger: GatewayLogger;
  /** Clock in milliseconds (epoch). */
  readonly now: () => number;
  readonly targetsById: ReadonlyMap<string, GatewayTarget>;
  readonly upstreamsByName: ReadonlyMap<string, UpstreamConfig>;
  /** Observer called once per answered completion; errors it throws are logged, not sent. */
  readonly onCompletion: ((record: CompletionRecord) => void) | undefined;
  /** Keys, limits, budgets, breakers, retries, traces and metrics. */
  readonly services: GatewayServices;
  /** Log one JSON line per request (`logging.requests`; off unless the caller asks). */
  readonly logRequests: boolean;
  /** Where the per-request lines go. */
  readonly requestLogger: GatewayLogger;
  /** Serves `model: "cascade"` / `model: "fan-out"` (from `strategies`). */
  readonly strategies: StrategyHandler;
  /** Guard stage for `model: "auto"` (from `guard`), when configured. */
  readonly guard: GuardStage | undefined;
  /** Route policy for `model: "auto"` (from `policy`), when configured. */
  readonly policy: PolicyRouter | undefined;
  /** Online learning of the engine's bandit router (when it is online and `learning.enabled`). */
  readonly learner: OnlineLearner | undefined;
  /** Budget pacing (`learning.budget`, `learning.paceKeyBudgets`), when configured. */
  readonly pacing: GatewayBudgetPacing | undefined;
}
