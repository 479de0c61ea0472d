import { SwitchyardError } from "../core/errors.js";
import type { ChatMessage, RouteOptions } from "../core/query.js";
import type { RoutingEngine } from "../core/routing-engine.js";
import type { Target } from "../core/target.js";
import type { Embedder } from "../embedders/embedder.js";
import type { TimerFunctions } from "../resilience/timeouts.js";
import type { Router } from "../routers/router.js";
import { chooseCascadeLadder } from "./cascade/choose-cascade-ladder.js";
import { runCascade, type CascadeStep } from "./cascade/run-cascade.js";
import type { ChatCaller } from "./chat-caller.js";
import { chooseFanOutModels } from "./fan-out/choose-fan-out-models.js";
import { runFanOut, type FanOutCombine } from "./fan-out/run-fan-out.js";
import { predictedCallCostUsd } from "./predicted-call-cost.js";
import type { AnswerScorer } from "./scorers/answer-scorer.js";
import { createJudgeScorer } from "./scorers/judge-scorer.js";
import { createEngineLearnedScorer } from "./scorers/engine-learned-scorer.js";
import { createLearnedScorer } from "./scorers/learned-scorer.js";
import { createSelfConsistencyScorer } from "./scorers/self-consistency-scorer.js";
import type { CascadeConfig, FanOutConfig, ScorerConfig, StrategiesConfig } from "./strategy-config.js";
import { strategyResponse } from "./strategy-response.js";
import type { StrategyResult } from "./strategy-trace.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/** The `model` values that select a strategy. */
export const strategyModelNames = { cascade: "cascade", fanOut: "fan-out" } as const;

/** What {@link createStrategyHandler} needs. */
export interface StrategyHandlerDeps {
  /** The validated `strategies` section. */
  config: StrategiesConfig;
  /** Every configured target (ladders, judges and aggregators are looked up here). */
  targets: readonly Target[];
  /** Routing engine, needed when a ladder or the fan-out models are router-chosen. */
  engine?: RoutingEngine;
  /**
   * Trained router and its embedder for the `learned` scorer. Without it the scorer asks `engine` for
   * its router's predicted quality (the gateway's case: the engine is built from `router.artifact`).
   */
  learned?: { router: Router; embedder: Embedder };
  /** Monotonic milliseconds for latencies (default `performance.now`). */
  now?: () => number;
  /** Epoch milliseconds for `created` (default `Date.now`). */
  clock?: () => number;
  timers?: TimerFunctions;
}

/** One strategy request as the gateway hands it over. */
export interface StrategyCall {
  /** The parsed chat-completion body (`model` is `cascade` or `fan-out`). */
  body: Readonly<Record<string, unknown>>;
  /** Calls upstreams for this request (built per request so it carries the request id). */
  caller: ChatCaller;
  signal?: CancelSignal;
  requestId?: string;
  /** Headers to add to the response (x-request-id …). */
  headers?: Record<string, string>;
}

/** Serves `model: "cascade"` and `model: "fan-out"`. */
export interface StrategyHandler {
  /** True when `model` names a configured strategy. */
  handles(model: string): boolean;
  /** Runs the strategy `body.model` names and returns its result (answer + trace). */
  run(call: StrategyCall): Promise<StrategyResult>;
  /** {@link run}, then the OpenAI-shaped JSON or SSE response (stream when `body.stream` is true). */
  respond(call: StrategyCall): Promise<{ response: Response; result: StrategyResult }>;
}

/**
 * Builds the handler from config, checking at start-up that every target it names exists and that the
 * deps router-chosen ladders or the learned scorer need are there (`invalid_config` naming the field).
 *
 * @example
 * const strategies = createStrategyHandler({ config: config.strategies, targets: config.targets, engine });
 * if (strategies.handles(request.model)) return (await strategies.respond({ body: request, caller, signal, requestId })).response;
 */
export function createStrategyHandler(deps: StrategyHandlerDeps): StrategyHandler {
  const targetsById = new Map(deps.targets.map((target) => [target.id, target]));
  const targetOf = (id: string, path: string): Target => {
    const target = targetsById.get(id);
    if (target === undefined) throw new SwitchyardError("invalid_config", `strategies.${path}: unknown target "${id}"`);
    return target;
  };
  const cascade = deps.config.cascade;
  const fanOut = deps.config.fanOut;
  const fixedLadder: CascadeStep[] | undefined = cascade?.ladder?.map((step, index) => ({ target: targetOf(step.target, `cascade.ladder[${index}].target`), threshold: step.threshold }));
  if (cascade && !fixedLadder && !deps.engine) throw new SwitchyardError("invalid_config", "strategies.cascade.ladder: required when the gateway has no trained router");
  const fixedModels = fanOut?.models?.map((id, index) => targetOf(id, `fanOut.models[${index}]`));
  if (fanOut && !fixedModels && !deps.engine) throw new SwitchyardError("invalid_config", "strategies.fanOut.models: required when the gateway has no trained router");
  const cascadeScorerTarget = cascade?.scorer.kind === "judge" ? targetOf(cascade.scorer.target, "cascade.scorer.target") : undefined;
  if (cascade?.scorer.kind === "learned" && !deps.learned && !deps.engine) throw new SwitchyardError("invalid_config", "strategies.cascade.scorer: the learned scorer needs a trained router (router.artifact)");
  const judgeTarget = fanOut?.judge ? targetOf(fanOut.judge.target, "fanOut.judge.target") : undefined;
  const aggregatorTarget = fanOut?.aggregator ? targetOf(fanOut.aggregator.target, "fanOut.aggregator.target") : undefined;

  const scorerOf = (config: ScorerConfig, caller: ChatCaller): AnswerScorer => {
    switch (config.kind) {
      case "judge":
        return createJudgeScorer({ caller, judge: cascadeScorerTarget as Target, latencyBudgetMs: config.latencyBudgetMs, defaultScore: config.defaultScore, template: config.template, now: deps.now, timers: deps.timers });
      case "self-consistency":
        return createSelfConsistencyScorer({ caller, temperature: config.temperature, latencyBudgetMs: config.latencyBudgetMs, defaultScore: config.defaultScore, now: deps.now, timers: deps.timers });
      case "learned":
        return deps.learned
          ? createLearnedScorer({ router: deps.learned.router, embedder: deps.learned.embedder, now: deps.now })
          : createEngineLearnedScorer({ engine: deps.engine as RoutingEngine, now: deps.now });
    }
  };

  const candidatesFor = async (body: Readonly<Record<string, unknown>>, only?: ReadonlySet<string>) => {
    const engine = deps.engine as RoutingEngine;
    const options: RouteOptions = {};
    if (Array.isArray(body.allowed_models)) options.allowedModels = body.allowed_models as string[];
    if (typeof body.quality === "number") options.quality = body.quality;
    const decision = await engine.decide({ messages: (body.messages ?? []) as readonly ChatMessage[], options }, only ? { only } : undefined);
    return decision.candidates;
  };

  const runCascadeStrategy = async (config: CascadeConfig, call: StrategyCall): Promise<StrategyResult> => {
    const ladder =
      fixedLadder ??
      chooseCascadeLadder({ candidates: await candidatesFor(call.body), targetsById, maxSteps: config.router.maxSteps, minPredictedQuality: config.router.minPredictedQuality, threshold: config.router.threshold });
    return runCascade(
      { body: call.body, signal: call.signal },
      { caller: call.caller, scorer: scorerOf(config.scorer, call.caller), ladder, costCapUsd: config.costCapUsd, stepTimeoutMs: config.stepTimeoutMs, deadlineMs: config.deadlineMs, now: deps.now, timers: deps.timers },
    );
  };

  const runFanOutStrategy = async (config: FanOutConfig, call: StrategyCall): Promise<StrategyResult> => {
    const combine: FanOutCombine =
      config.mode === "best"
        ? { mode: "best", judge: createJudgeScorer({ caller: call.caller, judge: judgeTarget as Target, latencyBudgetMs: config.judge?.latencyBudgetMs ?? 5_000, template: config.judge?.template, now: deps.now, timers: deps.timers }) }
        : { mode: "fuse", aggregator: aggregatorTarget as Target, timeoutMs: config.aggregator?.timeoutMs };
    let models = fixedModels?.slice(0, config.k);
    if (models === undefined) {
      const combiner = config.mode === "best" ? (judgeTarget as Target) : (aggregatorTarget as Target);
      // The combining call is paid from the same cap: a judge grades each of k answers, an aggregator reads all k.
      const reserveUsd = config.mode === "best" ? config.k * predictedCallCostUsd(combiner, call.body) : (config.k + 1) * predictedCallCostUsd(combiner, call.body);
      const costCapUsd = config.costCapUsd === undefined ? undefined : Math.max(0, config.costCapUsd - reserveUsd);
      models = chooseFanOutModels({ candidates: await candidatesFor(call.body), k: config.k, costCapUsd }).map((id) => targetsById.get(id) as Target);
    }
    return runFanOut({ body: call.body, signal: call.signal }, { caller: call.caller, models, combine, callTimeoutMs: config.callTimeoutMs, now: deps.now, timers: deps.timers });
  };

  const run = async (call: StrategyCall): Promise<StrategyResult> => {
    const model = call.body.model;
    if (model === strategyModelNames.cascade && cascade) return runCascadeStrategy(cascade, call);
    if (model === strategyModelNames.fanOut && fanOut) return runFanOutStrategy(fanOut, call);
    throw new SwitchyardError("model_not_found", `The strategy "${String(model)}" is not configured (strategies section)`, { param: "model" });
  };

  return {
    handles: (model) => (model === strategyModelNames.cascade && cascade !== undefined) || (model === strategyModelNames.fanOut && fanOut !== undefined),
    run,
    async respond(call) {
      const result = await run(call);
      const streamOptions = call.body.stream_options as { include_usage?: unknown } | null | undefined;
      const response = strategyResponse({
        result,
        stream: call.body.stream === true,
        includeUsage: streamOptions?.include_usage === true,
        id: `chatcmpl-${call.requestId ?? "strategy"}`,
        created: Math.floor((deps.clock ?? Date.now)() / 1000),
        headers: call.headers,
      });
      return { response, result };
    },
  };
}
