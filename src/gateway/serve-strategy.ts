import type { Target } from "../core/target.js";
import { costUsdOf } from "../core/target.js";
import type { RequestNeeds } from "../providers/request-needs.js";
import { createUpstreamChatCaller } from "../strategies/chat-caller.js";
import { createMeteredChatCaller } from "./metered-chat-caller.js";
import { toSwitchyardError } from "./error-response.js";
import type { StrategiesConfig } from "../strategies/strategy-config.js";
import type { StrategyResult } from "../strategies/strategy-trace.js";
import type { ChatCompletionRequest } from "./chat-request.js";
import type { CompletionRecord, GatewayContext } from "./gateway-context.js";
import type { GatewayReply } from "./http-exchange.js";
import type { RequestScope } from "./request-scope.js";
import type { SseOutput } from "./sse-response-stream.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/** What {@link serveStrategy} needs of the request being served. */
export interface ServeStrategyInput {
  request: ChatCompletionRequest;
  needs: RequestNeeds;
  signal: CancelSignal;
  /** Headers already decided (x-request-id …). */
  headers: Record<string, string>;
}

/**
 * Serves `model: "cascade"` / `model: "fan-out"` inside the chat-completions pipeline (after
 * authentication, key checks and rate limits): reserves an upper estimate of the strategy's cost on the
 * key's budget, runs the strategy through the gateway's upstream client, records every sub-call as a
 * trace attempt (and in the metrics), finishes the scope with the strategy's model, summed usage and
 * total cost, and returns the strategy's JSON or SSE answer (FrugalGPT cascades, Chen et al. 2023;
 * Mixture-of-Agents fan-out, Wang et al. 2024 — see docs/cascades.md).
 */
export async function serveStrategy(context: GatewayContext, scope: RequestScope, input: ServeStrategyInput): Promise<GatewayReply> {
  const { config, services } = context;
  const { request, needs } = input;
  const key = scope.key;
  if (key !== null) {
    const estimate = strategyCostEstimateUsd(config.strategies, request.model, config.targets, needs.promptTokens, needs.maxOutputTokens ?? config.limits.defaultMaxOutputTokens);
    scope.reservation = await services.budgets.reserve(key, estimate);
  }
  // Every sub-call reserves its own worst case and is billed like a chat completion (metered-chat-caller.ts).
  const meter = createMeteredChatCaller({
    caller: createUpstreamChatCaller({ upstreamClient: context.upstreamClient, upstreams: config.upstreams, requestId: scope.requestId }),
    budgets: services.budgets,
    key,
    reservation: scope.reservation,
    defaultMaxOutputTokens: config.limits.defaultMaxOutputTokens,
    logger: context.logger,
    requestId: scope.requestId,
  });
  const usage = () => ({ prompt_tokens: meter.inputTokens(), completion_tokens: meter.outputTokens() });
  let answered: Awaited<ReturnType<typeof context.strategies.respond>>;
  try {
    answered = await context.strategies.respond({ body: request, caller: meter.caller, signal: input.signal, requestId: scope.requestId, headers: input.headers });
  } catch (error) {
    // A strategy that fails after some sub-calls were answered (the client left, the aggregator failed
    // with no fallback) still owes what they cost: the scope ends billed for them.
    if (meter.billedUsd() > 0) {
      const failure = toSwitchyardError(error);
      scope.finish({ status: failure.status, error: failure, usage: usage(), costUsd: meter.billedUsd() });
    }
    throw error;
  }
  const { response, result } = answered;
  recordSubCalls(context, scope, result);
  const target: Target = context.targetsById.get(result.model) ?? { id: result.model, inputUsdPerMTok: 0, outputUsdPerMTok: 0, contextWindow: 0 };
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  // The bill is every answered sub-call's (also one the strategy stopped waiting for), not only those it used.
  const finish = () => {
    scope.finish({ status: response.status, target, usage: usage(), costUsd: meter.billedUsd(), response: config.traces.storeText ? result.text : undefined });
    notify(context, { requestId: scope.requestId, targetId: target.id, decision: undefined, stream: scope.stream, usage: result.usage, durationMs: context.now() - scope.startedAt });
  };
  if (!scope.stream) {
    const text = await response.text();
    finish();
    return { status: response.status, headers, text };
  }
  // The strategy's answer is complete before the first byte (strategies call models non-streamed).
  const bytes = new Uint8Array(await response.arrayBuffer());
  let sent = false;
  const sse: SseOutput = {
    async next() {
      if (sent) return undefined;
      sent = true;
      finish();
      return bytes;
    },
    async cancel() {
      if (!sent) scope.finish({ status: 499, target, usage: usage(), costUsd: meter.billedUsd() });
      sent = true;
    },
    afterEnd() {},
  };
  return { status: response.status, headers, sse };
}

function notify(context: GatewayContext, record: CompletionRecord): void {
  if (context.onCompletion === undefined) return;
  try {
    context.onCompletion(record);
  } catch (error) {
    context.logger.error({ requestId: record.requestId, error: error instanceof Error ? error.message : String(error) }, "onCompletion observer failed");
  }
}

/**
 * Each sub-call becomes a trace attempt (`ok`, `error` or `timeout`) with its role, cost and grade, so the
 * stored trace (SQLite) shows every sub-call and what it cost; answer and fusion calls also go to the metrics.
 */
function recordSubCalls(context: GatewayContext, scope: RequestScope, result: StrategyResult): void {
  const seen = new Map<string, number>();
  for (const call of result.trace) {
    const outcome = call.outcome === "failed" ? "error" : call.outcome === "timed-out" ? "timeout" : "ok";
    const id = call.role === "score" ? `${call.scorer ?? "scorer"}:${call.model}` : call.model;
    const attempt = (seen.get(id) ?? 0) + 1;
    seen.set(id, attempt);
    scope.attempts.push({ target: id, attempt, outcome, durationMs: call.latencyMs, role: call.role, costUsd: call.costUsd, ...(call.score !== undefined ? { score: call.score } : {}) });
    if (call.role !== "score") context.services.metrics.recordAttempt(call.model, outcome, call.latencyMs);
  }
  context.logger.info({ requestId: scope.requestId, strategy: result.strategy, model: result.model, costUsd: result.costUsd, stoppedBecause: result.stoppedBecause, trace: result.trace }, "strategy");
}

/**
 * An upper estimate of what a strategy request may cost, for the budget reservation (settled with the
 * real cost afterwards): its `costCapUsd` plus the combining calls when one is set, else every call it
 * may make at the most expensive involved target's price.
 */
export function strategyCostEstimateUsd(strategies: StrategiesConfig, model: string, targets: readonly Target[], promptTokens: number, outputTokens: number): number {
  const costOf = (target: Target) => costUsdOf(target, promptTokens, outputTokens);
  const priciest = Math.max(0, ...targets.map(costOf));
  const byId = new Map(targets.map((target) => [target.id, target]));
  const costOfId = (id: string) => {
    const target = byId.get(id);
    return target === undefined ? priciest : costOf(target);
  };
  if (model === "cascade" && strategies.cascade) {
    const { cascade } = strategies;
    const steps = cascade.ladder?.length ?? cascade.router.maxSteps;
    const grade = cascade.scorer.kind === "judge" ? costUsdOf(byId.get(cascade.scorer.target) ?? { inputUsdPerMTok: 0, outputUsdPerMTok: 0 }, promptTokens + outputTokens, 16) : 0;
    const answers = cascade.costCapUsd ?? (cascade.ladder ? cascade.ladder.reduce((sum, step) => sum + costOfId(step.target), 0) : steps * priciest);
    const samples = cascade.scorer.kind === "self-consistency" ? answers : 0;
    return answers + samples + (steps - 1) * grade;
  }
  if (model === "fan-out" && strategies.fanOut) {
    const { fanOut } = strategies;
    const answers = fanOut.costCapUsd ?? (fanOut.models ? fanOut.models.slice(0, fanOut.k).reduce((sum, id) => sum + costOfId(id), 0) : fanOut.k * priciest);
    const combinerId = fanOut.mode === "best" ? fanOut.judge?.target : fanOut.aggregator?.target;
    const combinerTarget = combinerId === undefined ? undefined : byId.get(combinerId);
    const combine = combinerTarget === undefined ? 0 : fanOut.mode === "best" ? fanOut.k * costUsdOf(combinerTarget, promptTokens + outputTokens, 16) : costUsdOf(combinerTarget, promptTokens + fanOut.k * outputTokens, outputTokens);
    return answers + combine;
  }
  return priciest;
}
