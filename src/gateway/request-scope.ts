import type { Decision } from "../core/decision.js";
import type { Mutable } from "../core/mutable.js";
import type { SwitchyardError } from "../core/errors.js";
import { costUsdOf, type Target } from "../core/target.js";
import type { Reservation } from "../limits/budget-guard.js";
import type { ApiKeyRecord } from "../stores/api-key-record.js";
import type { TraceAttempt, TraceRecord } from "../stores/trace-record.js";
import type { GatewayLogger } from "./gateway-logger.js";
import type { GatewayServices } from "./gateway-services.js";
import type { OnlineLearner } from "../learning/online-learner.js";
import type { GatewayBudgetPacing, PacingTicket } from "../learning/budget-pacing.js";

/** Token usage as upstreams report it (OpenAI field names). */
export interface TokenUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  [key: string]: unknown;
}

/** How a request ended. */
export interface RequestOutcome {
  status: number;
  error?: SwitchyardError;
  /** Target that served the answer. */
  target?: Target;
  usage?: TokenUsage;
  /** Answer text, kept only when `traces.storeText` is on. */
  response?: string;
  /** The request's real cost when it is not `target`'s price × `usage` (a cascade or fan-out paid several calls). */
  costUsd?: number;
}

/** Options for {@link createRequestScope}. */
export interface RequestScopeOptions {
  services: GatewayServices;
  endpoint: string;
  requestId: string;
  now: () => number;
  logger: GatewayLogger;
  /** Log one line per request (to `requestLogger`, default `logger`). */
  logRequests: boolean;
  requestLogger?: GatewayLogger;
  /** Keep prompt and answer text in the trace. */
  storeText: boolean;
  /** Whether a model name is a configured target (others are not used as metric labels). */
  isKnownModel: (model: string) => boolean;
  /** Online learning: answered requests the online router routed are handed to it when they end. */
  learner?: OnlineLearner;
  /** Budget pacing: the request's hold on the paced budgets is settled when it ends. */
  pacing?: GatewayBudgetPacing;
}

/**
 * What one request accumulates on its way (key, decision, reservation, attempts) and the single
 * place where it ends: `finish()` settles the budget with the real cost, corrects the token rate,
 * records metrics, queues the trace and logs the request line — exactly once, whether the request
 * succeeded, failed, or its stream ended, broke or was abandoned by the client.
 */
export interface RequestScope {
  readonly requestId: string;
  readonly startedAt: number;
  key: ApiKeyRecord | null;
  requestedModel: string | null;
  stream: boolean;
  decision: Decision | undefined;
  maxCostUsd: number | undefined;
  reservation: Reservation | undefined;
  /** Hold on the paced budgets (`learning.budget`), settled by `finish`. */
  pacingTicket: PacingTicket | undefined;
  /** Tokens admitted by the rate limiter (corrected at the end). */
  admittedTokens: number;
  readonly attempts: TraceAttempt[];
  fallbacks: number;
  prompt: string | undefined;
  /** The request's `response_format` (online learning's `json-schema` signal reads it). */
  responseFormat: unknown;
  /** Cost of an answer with this usage on `target` (null when the usage is unknown). */
  costOf(target: Target, usage: TokenUsage | undefined): number | null;
  finish(outcome: RequestOutcome): void;
  readonly finished: boolean;
}

/** Cost of an answer with this usage on `target` (null when the usage is unknown). */
function costOfUsage(target: Target, usage: TokenUsage | undefined): number | null {
  const prompt = usage?.prompt_tokens;
  const completion = usage?.completion_tokens ?? 0;
  return typeof prompt === "number" && typeof completion === "number" ? costUsdOf(target, prompt, completion) : null;
}

/** Starts the bookkeeping of one request (see {@link RequestScope}). */
export function createRequestScope(options: RequestScopeOptions): RequestScope {
  const { services, now, logger } = options;
  const startedAt = now();
  services.metrics.inFlight(1);
  const costOf = costOfUsage;
  // `finished` is a data property, not a getter (no accessor pairs on per-request objects).
  const scope: Mutable<RequestScope> = {
    requestId: options.requestId,
    startedAt,
    key: null,
    requestedModel: null,
    stream: false,
    decision: undefined,
    maxCostUsd: undefined,
    reservation: undefined,
    pacingTicket: undefined,
    admittedTokens: 0,
    attempts: [],
    fallbacks: 0,
    prompt: undefined,
    responseFormat: undefined,
    costOf,
    finished: false,
    finish(outcome) {
      if (scope.finished) return;
      scope.finished = true;
      const latencyMs = now() - startedAt;
      const { key, requestedModel } = scope;
      const inputTokens = typeof outcome.usage?.prompt_tokens === "number" ? outcome.usage.prompt_tokens : null;
      const outputTokens = typeof outcome.usage?.completion_tokens === "number" ? outcome.usage.completion_tokens : null;
      const costUsd = outcome.costUsd ?? (outcome.target ? costOf(outcome.target, outcome.usage) : null);
      const answered = scope.attempts.some((attempt) => attempt.outcome === "ok");

      if (key !== null && scope.reservation !== undefined) {
        // Unknown usage after an upstream answered: book the reservation (an upper estimate), not zero.
        const actual = costUsd ?? (answered ? scope.reservation.amountUsd : 0);
        services.budgets
          .settle(scope.reservation, { costUsd: actual, inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0 })
          .catch((error: unknown) => logger.error({ requestId: scope.requestId, error: error instanceof Error ? error.message : String(error) }, "budget settlement failed"));
      }
      if (scope.pacingTicket !== undefined && options.pacing !== undefined) {
        const predicted = scope.decision?.candidates.find((candidate) => candidate.model === outcome.target?.id)?.predictedCostUsd;
        options.pacing.settle(scope.pacingTicket, costUsd ?? (answered ? scope.pacingTicket.reservedUsd : 0), answered, predicted);
      }
      if (key !== null && key.tpm !== null && inputTokens !== null) {
        services.limiter.correctTokens(key.id, key, scope.admittedTokens, inputTokens + (outputTokens ?? 0));
      }

      const keyLabel = key?.name ?? "open";
      const modelLabel = outcome.target?.id ?? (requestedModel === null ? "none" : requestedModel === "auto" || options.isKnownModel(requestedModel) ? requestedModel : "other");
      services.metrics.inFlight(-1);
      services.metrics.recordRequest({ endpoint: options.endpoint, model: modelLabel, status: outcome.status, key: keyLabel, stream: scope.stream, durationMs: latencyMs });
      if (outcome.target && (inputTokens !== null || outputTokens !== null)) {
        services.metrics.recordUsage({ model: outcome.target.id, key: keyLabel, inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0, costUsd: costUsd ?? 0 });
      }

      const upstreamMs = scope.attempts.length === 0 ? null : scope.attempts.reduce((sum, attempt) => sum + attempt.durationMs, 0);
      const errorCode = outcome.error?.code ?? null;
      if (services.traces) {
        const { decision } = scope;
        const trace: TraceRecord = {
          id: scope.requestId,
          createdAt: startedAt,
          endpoint: options.endpoint,
          keyId: key?.id ?? null,
          requestedModel,
          servedModel: outcome.target?.id ?? null,
          stream: scope.stream,
          status: outcome.status,
          errorCode,
          latencyMs,
          upstreamMs,
          decision: decision
            ? { router: decision.router, willingnessToPay: decision.willingnessToPay, candidates: decision.candidates, decisionMs: decision.decisionMs, ...(scope.maxCostUsd !== undefined ? { maxCostUsd: scope.maxCostUsd } : {}), ...(decision.propensity !== undefined ? { propensity: decision.propensity } : {}) }
            : null,
          attempts: scope.attempts,
          fallbacks: scope.fallbacks,
          inputTokens,
          outputTokens,
          costUsd,
        };
        if (options.storeText && scope.prompt !== undefined) trace.prompt = scope.prompt;
        if (options.storeText && outcome.response !== undefined) trace.response = outcome.response;
        services.traces.add(trace);
      }
      const { learner } = options;
      if (learner !== undefined && scope.decision?.routeInput !== undefined && outcome.target !== undefined && outcome.error === undefined && outcome.status < 400) {
        learner.observe({
          requestId: scope.requestId,
          keyId: key?.id ?? null,
          decision: scope.decision,
          servedModel: outcome.target.id,
          costUsd,
          createdAt: startedAt,
          responseFormat: scope.responseFormat,
          prompt: scope.prompt,
          answer: outcome.response,
        });
      }
      if (options.logRequests) {
        (options.requestLogger ?? logger).info(
          { requestId: scope.requestId, keyId: key?.id ?? null, endpoint: options.endpoint, model: outcome.target?.id ?? requestedModel, status: outcome.status, errorCode, latencyMs: Math.round(latencyMs * 1000) / 1000, attempts: scope.attempts.length, fallbacks: scope.fallbacks, costUsd },
          "request",
        );
      }
    },
  };
  return scope;
}
