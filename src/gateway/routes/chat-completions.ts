import type { Context } from "hono";
import { fetchRequestOf, responseOf, type GatewayHttpRequest, type GatewayReply } from "../http-exchange.js";
import { SwitchyardError } from "../../core/errors.js";
import { promptTextOf, type ChatMessage } from "../../core/query.js";
import type { Target } from "../../core/target.js";
import { assertModelAllowed } from "../../limits/api-key-service.js";
import { requestNeedsOf, type RequestNeeds } from "../../providers/request-needs.js";
import { tokenUsageProblem } from "../../providers/token-usage-check.js";
import { transportError } from "../../providers/upstream-client.js";
import type { UpstreamResponse } from "../../providers/upstream-client.js";
import { parseChatCompletionRequest } from "../chat-request.js";
import { assertValidContentParts } from "../content-parts.js";
import type { ChatCompletionRequest } from "../chat-request.js";
import { applyRouteStages, traceStagesOf } from "../apply-route-stages.js";
import { autoModel, chooseTarget, qualityHeader } from "../choose-target.js";
import { decisionHeaders } from "../decision-headers.js";
import { errorReply, logError, toSwitchyardError } from "../error-response.js";
import type { CompletionRecord, GatewayContext } from "../gateway-context.js";
import { clientRequestIdOf, requestIdOf } from "../request-id.js";
import { reserveWorstCase, raiseToWorstCase } from "../reserve-worst-case.js";
import { createDeliveredTokenCounter } from "../delivered-token-counter.js";
import { encodingOfTarget, outputCapFieldOf } from "../../limits/worst-case-cost.js";
import { RequestWorstCases } from "../../limits/request-worst-cases.js";
import type { GatewayTarget } from "../config.js";
import { createRequestScope, type RequestScope, type TokenUsage } from "../request-scope.js";
import { serveStrategy } from "../serve-strategy.js";
import { createSseOutput } from "../sse-response-stream.js";
import { createSseStreamTap } from "../sse-stream-tap.js";
import type { StreamUsage } from "../sse-stream-tap.js";
import { streamTextCollector } from "../stream-text-collector.js";
import { sha256Hex } from "../../util/sha256-hex.js";

/** Switchyard's request extensions, which upstreams must not see. */
const ownFields = new Set(["allowed_models", "quality"]);

/** Response header with the request's real cost, when it is known before the body is sent. */
export const costHeader = "x-switchyard-cost-usd";
/** Response header with the number of fallbacks, when there were any. */
export const fallbacksHeader = "x-switchyard-fallbacks";

/**
 * `POST /v1/chat/completions`: authenticate, read and validate the body, check the key's models and
 * rate, choose the targets (routing for `auto`, filtered by needs, breakers and the budget's cost cap),
 * reserve the estimated cost, call the first target with retries and fall back to the next-best
 * candidates (streams only before their first byte), then answer with the upstream's JSON or SSE
 * stream plus decision and cost headers. Every failure goes through `errorResponse`; every request
 * ends in `RequestScope.finish` (budget settlement, metrics, trace, log line).
 */
export function createChatCompletionsHandler(context: GatewayContext): (c: Context) => Promise<Response> {
  const serve = createChatCompletionService(context);
  return async (c) => responseOf(await serve(fetchRequestOf(c.req.raw)));
}

/**
 * The chat-completions route independent of the HTTP server: a {@link GatewayHttpRequest} in, a
 * {@link GatewayReply} out (never throws). Hono's handler and `startGateway`'s Node fast path both
 * use it.
 */
export function createChatCompletionService(context: GatewayContext): (request: GatewayHttpRequest) => Promise<GatewayReply> {
  const { config, upstreamClient, logger, services } = context;
  const maxJsonDepth = config.server.maxJsonDepth;
  const guardsEveryRequest = config.guard?.appliesTo !== "routed";
  const isKnownModel = (model: string) => context.targetsById.has(model);
  return async (http) => {
    const requestId = requestIdOf();
    const clientRequestId = clientRequestIdOf(http.header("x-request-id"));
    const scope = createRequestScope({
      services,
      endpoint: "/v1/chat/completions",
      requestId,
      ...(clientRequestId === undefined ? {} : { clientRequestId }),
      now: context.now,
      logger,
      logRequests: context.logRequests,
      requestLogger: context.requestLogger,
      storeText: config.traces.storeText,
      isKnownModel,
      learner: context.learner,
      pacing: context.pacing,
    });
    const headers: Record<string, string> = { "x-request-id": requestId };
    let servedTarget: Target | undefined;
    let choice: Awaited<ReturnType<typeof chooseTarget>> | undefined;
    try {
      if (services.lifecycle.draining) throw new SwitchyardError("unavailable", "The gateway is shutting down", { retryAfterSeconds: 1 });
      scope.key = await services.authenticate(http.header);
      const body = await http.json(config.server.maxBodyBytes, { maxDepth: maxJsonDepth });
      const request = parseChatCompletionRequest(body);
      assertValidContentParts(request.messages, config.server.imageUrls);
      scope.requestedModel = request.model;
      scope.stream = request.stream === true;
      const key = scope.key;
      const needs = requestNeedsOf(request);
      const promptText = config.traces.storeText || context.learner?.wantsPromptText || request.model === autoModel ? promptTextOf(request.messages as readonly ChatMessage[]) : undefined;
      if (config.traces.storeText || context.learner?.wantsPromptText) scope.prompt = promptText;
      if (context.learner?.wantsAnswerText) scope.responseFormat = request.response_format;
      if (key !== null) {
        assertModelAllowed(key, request.model);
        scope.admittedTokens = needs.promptTokens + (needs.maxOutputTokens ?? 0);
        const admitted = services.limiter.admit(key.id, key, scope.admittedTokens);
        if (admitted !== undefined) await admitted;
        scope.maxCostUsd = await services.budgets.costCapUsd(key);
      }
      scope.routed = true;

      // The guard sees every request unless configured for routed ones only (naming a model must not
      // bypass it); the policy only shapes routed ones. A guard reroute serves the safe model directly.
      const isAuto = request.model === autoModel;
      const guard = context.guard !== undefined && (isAuto || guardsEveryRequest);
      const policy = isAuto && context.policy !== undefined;
      let stages: Awaited<ReturnType<typeof applyRouteStages>> | undefined;
      if (guard || policy) {
        try {
          stages = await applyRouteStages(context, request, headers, { guard, policy });
        } finally {
          // Kept in the trace whatever the verdict (a refusal throws): the dashboard shows it per request.
          scope.stages = traceStagesOf(headers);
        }
      }
      if (stages?.model === undefined && context.strategies.handles(request.model)) return await serveStrategy(context, scope, { request, needs, signal: http.signal, headers });
      if (key !== null && stages?.model !== undefined) assertModelAllowed(key, stages.model);
      // Budget pacing: routed requests choose with the paced willingness-to-pay under the pacers' cost cap.
      const paced = isAuto && stages?.model === undefined && context.pacing !== undefined ? await context.pacing.constraints(key) : undefined;
      if (paced !== undefined) scope.maxCostUsd = scope.maxCostUsd === undefined ? paced.maxCostUsd : Math.min(scope.maxCostUsd, paced.maxCostUsd);
      choice = await chooseTarget(context, stages?.model === undefined ? request : { ...request, model: stages.model }, {
        qualityHeaderValue: http.header(qualityHeader),
        key,
        needs,
        maxCostUsd: scope.maxCostUsd,
        ...(stages?.only ? { only: stages.only } : {}),
        ...(stages?.quality !== undefined ? { quality: stages.quality } : {}),
        ...(paced !== undefined ? { adjustWillingnessToPay: paced.adjustWillingnessToPay } : {}),
      });
      scope.decision = choice.decision;
      // The decision log joins duplicates and later rewards by this hash when the text is not stored.
      if (choice.decision && promptText !== undefined) scope.promptHash = sha256Hex(promptText);
      if (choice.decision) services.metrics.recordDecision(choice.decision.router, choice.decision.decisionMs);
      Object.assign(headers, decisionHeaders(choice.target.id, choice.decision));
      // The reservation covers the worst case the upstream can bill (every choice × the output cap the
      // upstream is sent × output price + the prompt's token bound × input price); see worst-case-cost.ts.
      // Computed once per target and kept for the request (the cap sent upstream, the verdict, the bill).
      const worstCases = new RequestWorstCases(needs, config.limits.defaultMaxOutputTokens);
      scope.worstCases = worstCases;
      const first = choice.target as GatewayTarget;
      if (key !== null) scope.reservation = await reserveWorstCase(services.budgets, key, worstCases, first);
      if (context.pacing !== undefined) scope.pacingTicket = await context.pacing.reserve(key, worstCases.of(first).costUsd);

      const stream = scope.stream;
      const signal = http.signal;
      // Method shorthand, not arrow properties: tsx's keep-names helper wraps every named arrow on each request.
      const decision = choice.decision;
      const { value: response, target: servedId, fallbacks } = await services.executor.execute<UpstreamResponse>({
        candidates: choice.candidates.length === 1 ? [choice.target.id] : choice.candidates.map((target) => target.id),
        // A fallback may cost more than what was reserved: hold the difference, or skip that candidate.
        // The first candidate's worst case is reserved already (no promise on the common path).
        admit(id) {
          if (id === first.id) return true;
          const target = context.targetsById.get(id) as GatewayTarget;
          return (async () => {
            if (scope.pacingTicket !== undefined && context.pacing !== undefined && !(await context.pacing.raise(scope.pacingTicket, worstCases.of(target).costUsd))) return false;
            if (key === null || scope.reservation === undefined) return true;
            return raiseToWorstCase(services.budgets, key, scope.reservation, worstCases, target);
          })();
        },
        call({ target: id }) {
          const target = context.targetsById.get(id) as GatewayTarget;
          const upstream = context.upstreamsByName.get(target.upstream ?? "");
          if (upstream === undefined) throw new SwitchyardError("internal_error", `Target "${target.id}" has no configured upstream`);
          return upstreamClient.chatCompletion({ target, upstream, body: forwardedBody(request, target, stream, worstCases.of(target).outputCap), signal, requestId });
        },
        onAttempt(attempt) {
          scope.attempts.push(attempt);
          services.metrics.recordAttempt(attempt.target, attempt.outcome, attempt.durationMs);
        },
        signal,
      });
      const target = context.targetsById.get(servedId) as Target;
      servedTarget = target;
      scope.fallbacks = fallbacks;
      if (fallbacks > 0) {
        services.metrics.recordFallback(choice.target.id, target.id);
        Object.assign(headers, decisionHeaders(target.id, decision), { [fallbacksHeader]: String(fallbacks) });
      }

      if (response.body.kind === "stream") {
        services.metrics.recordTimeToFirstByte(target.id, context.now() - scope.startedAt);
        return streamResponse(context, scope, { request, target, response, headers, needs });
      }

      const value = response.body.value;
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        throw new SwitchyardError("upstream_error", `Upstream "${target.upstream}" answered with JSON that is not a chat completion`);
      }
      const completion = value as { model?: unknown; usage?: TokenUsage; choices?: unknown };
      // Re-serialise only when the upstream named the model differently from the target id.
      const text = completion.model === target.id ? response.body.text : JSON.stringify({ ...completion, model: target.id });
      const usage = plausibleUsage(context, scope.requestId, target, completion.usage ?? undefined);
      const cost = scope.costOf(target, usage);
      if (cost !== null) headers[costHeader] = String(Number(cost.toPrecision(6)));
      headers["content-type"] = "application/json";
      const status = response.status;
      const outcome = { status, target, usage, response: config.traces.storeText || context.learner?.wantsAnswerText ? answerTextOf(completion.choices) : undefined };
      return {
        status,
        headers,
        text,
        // Settlement and trace are journaled before the body is sent; metrics and the log line after.
        beforeSend() {
          return scope.record(outcome);
        },
        afterSend() {
          scope.finish(outcome);
          notify(context, { requestId, targetId: target.id, decision, stream: false, usage: usage as StreamUsage | undefined, durationMs: context.now() - scope.startedAt });
        },
      };
    } catch (error) {
      const switchyardError = toSwitchyardError(error);
      // After failed attempts the headers describe the last target tried, the one the error is about.
      const lastTried = scope.attempts.at(-1)?.target;
      if (choice !== undefined && servedTarget === undefined && lastTried !== undefined && context.targetsById.has(lastTried)) {
        Object.assign(headers, decisionHeaders(lastTried, choice.decision));
        const triedTargets = new Set(scope.attempts.map((attempt) => attempt.target)).size;
        if (triedTargets > 1) headers[fallbacksHeader] = String(triedTargets - 1);
      }
      const reply = errorReply(switchyardError, { logger, requestId, headers });
      const target = servedTarget;
      const outcome = { status: switchyardError.status, error: switchyardError, target };
      return {
        ...reply,
        beforeSend() {
          return scope.record(outcome);
        },
        afterSend() {
          scope.finish(outcome);
        },
      };
    }
  };
}

/** Answers with the upstream's stream, through the usage tap; the scope finishes when the stream ends. */
function streamResponse(
  context: GatewayContext,
  scope: RequestScope,
  input: { request: ChatCompletionRequest; target: Target; response: UpstreamResponse; headers: Record<string, string>; needs: RequestNeeds },
): GatewayReply {
  const { request, target, response, headers } = input;
  if (response.body.kind !== "stream") throw new SwitchyardError("internal_error", "not a stream");
  const clientWantsUsage = request.stream_options?.include_usage === true;
  const collector = context.config.traces.storeText || context.learner?.wantsAnswerText ? streamTextCollector() : undefined;
  let streamUsage: StreamUsage | undefined;
  // What the client was sent, counted only if the upstream never reports usage (a cut stream).
  const delivered = createDeliveredTokenCounter(encodingOfTarget(target as GatewayTarget));
  scope.deliveredOutputTokens = delivered.tokens;
  const tap = createSseStreamTap({ dropUsageChunk: !clientWantsUsage, onUsage: (usage) => (streamUsage = plausibleUsage(context, scope.requestId, target, usage)), model: target.id, onForwardBytes: delivered.seeBytes });
  const sse = createSseOutput({
    chunks: response.body.chunks,
    tap: collector ? { push: (chunk) => collector.see(tap.push(chunk)), flush: () => collector.see(tap.flush()) } : tap,
    toError: (error) => transportError(error, target.upstream ?? target.id, { phase: "stream" }),
    onError: (error) => {
      context.services.breakers.recordFailure(target.id);
      logError(error, { logger: context.logger, requestId: scope.requestId });
      scope.finish({ status: response.status, error, target, usage: streamUsage, response: collector?.text() });
    },
    beforeEnd: () => scope.record({ status: response.status, target, usage: streamUsage, response: collector?.text() }),
    onComplete: () => {
      scope.finish({ status: response.status, target, usage: streamUsage, response: collector?.text() });
      notify(context, { requestId: scope.requestId, targetId: target.id, decision: scope.decision, stream: true, usage: streamUsage, durationMs: context.now() - scope.startedAt });
    },
    // 499: the client closed the request (nginx's convention), recorded in traces and metrics.
    onCancel: () => scope.finish({ status: 499, target, usage: streamUsage, response: collector?.text() }),
  });
  const contentType = response.headers["content-type"];
  return {
    status: response.status,
    headers: { ...headers, "content-type": (Array.isArray(contentType) ? contentType[0] : contentType) ?? "text/event-stream", "cache-control": "no-cache" },
    sse,
  };
}

/**
 * The body sent upstream: the client's fields minus Switchyard's own, `model` set to what the upstream
 * calls the target, and, for streams, `stream_options.include_usage` so usage is always known.
 */
function forwardedBody(request: ChatCompletionRequest, target: Target, stream: boolean, outputCap: number): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const key in request) {
    if (!ownFields.has(key) && key !== "max_tokens" && key !== "max_completion_tokens") body[key] = request[key];
  }
  body.model = target.upstreamModel ?? target.id;
  // The output cap always goes upstream (see outputCapFieldOf for which field).
  body[outputCapFieldOf(request, body.model as string)] = outputCap;
  if (stream) body.stream_options = { ...request.stream_options, include_usage: true };
  return body;
}

/** The first choice's message text (for traces that keep text). */
function answerTextOf(choices: unknown): string | undefined {
  const first = Array.isArray(choices) ? (choices[0] as { message?: { content?: unknown } } | undefined) : undefined;
  return typeof first?.message?.content === "string" ? first.message.content : undefined;
}

/** The upstream's usage when it is plausible; otherwise undefined (the reservation is booked) and a warning. */
function plausibleUsage<T>(context: GatewayContext, requestId: string, target: Target, usage: T | undefined): T | undefined {
  const problem = tokenUsageProblem(usage);
  if (problem === undefined) return usage;
  context.logger.warn({ requestId, target: target.id, upstream: target.upstream, problem }, "upstream reported implausible usage; not stored");
  return undefined;
}

function notify(context: GatewayContext, record: CompletionRecord): void {
  if (context.onCompletion === undefined) return;
  try {
    context.onCompletion(record);
  } catch (error) {
    context.logger.error({ requestId: record.requestId, error: error instanceof Error ? error.message : String(error) }, "onCompletion observer failed");
  }
}
