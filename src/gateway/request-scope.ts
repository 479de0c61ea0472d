import type { Decision } from "../core/decision.js";
import type { Mutable } from "../core/mutable.js";
import type { SwitchyardError } from "../core/errors.js";
import { costUsdOf, type Target } from "../core/target.js";
import type { Reservation } from "../limits/budget-guard.js";
import { judgeUsage } from "../limits/usage-verdict.js";
import type { WorstCaseSource } from "../limits/request-worst-cases.js";
import type { SettleInput } from "../stores/store.js";
import type { ApiKeyRecord } from "../stores/api-key-record.js";
import type { TraceAttempt, TraceDecision, TraceRecord, TraceStages } from "../stores/trace-record.js";
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
  /** The client's own `x-request-id`, kept as a trace attribute scoped to the key. */
  clientRequestId?: string;
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
  /** SHA-256 of the prompt text, set for routed requests (kept whatever `storeText` says). */
  promptHash: string | undefined;
  /** The guard's verdict and the policy's route, when they ran. */
  stages: TraceStages | undefined;
  /**
   * The most `target` can bill for this request (set once the request is known): with the prompt's
   * byte bound, or `exact` — its tokenizer's count where one is loaded (for billing, not on every request).
   */
  worstCases: WorstCaseSource | undefined;
  /**
   * Completion tokens counted in what a stream delivered (for a stream whose usage never came: cut by
   * the upstream or the client, or an upstream that ignores `include_usage`).
   */
  deliveredOutputTokens: (() => number) | undefined;
  /**
   * Set once the request was admitted (key, body and model checked) and reached target selection.
   * Requests refused before that are counted in the metrics but not stored as traces (unless
   * `traces.sampleRejected` keeps a share of them): a flood of keyless requests must not grow the store.
   */
  routed: boolean;
  /** Cost of an answer with this usage on `target` (null when the usage is unknown). */
  costOf(target: Target, usage: TokenUsage | undefined): number | null;
  /**
   * The durable part of the end, exactly once: bills the request (see `judgeUsage`), journals its trace
   * and ledger entry (`Store.journal`, group commit) and hands them to the ledger and the trace writer.
   * Returns the journal group's write when there is one: transports wait for it before handing the
   * response's last bytes to the socket, so a response a client received completely is never lost to a
   * crash. Undefined when nothing waits: no journal, or the only request in flight (then `finish`,
   * called right after the send, writes the line: see `openScopes`).
   */
  record(outcome: RequestOutcome): Promise<void> | undefined;
  /**
   * `record` (if not done yet), then writes the journal's waiting line at once (synchronously: callers
   * of `finish` have just sent, or send right after), then metrics and the request's log line, exactly once.
   */
  finish(outcome: RequestOutcome): void;
  readonly finished: boolean;
}

/** A token count as stored: a non-negative safe integer, else null. */
function tokens(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

/** Cost of an answer with this usage on `target` (null when the usage is unknown). */
function costOfUsage(target: Target, usage: TokenUsage | undefined): number | null {
  const prompt = usage?.prompt_tokens;
  const completion = usage?.completion_tokens ?? 0;
  return typeof prompt === "number" && typeof completion === "number" ? costUsdOf(target, prompt, completion) : null;
}

/** The decision log entry of a trace: what OPE and training from traffic need, nothing request-private. */
function traceDecisionOf(decision: Decision, maxCostUsd: number | undefined): TraceDecision {
  const logged: TraceDecision = {
    router: decision.router,
    model: decision.model,
    // Deterministic routers leave it out of the decision; the log states it so readers need no default.
    propensity: decision.propensity ?? 1,
    willingnessToPay: decision.willingnessToPay,
    candidates: decision.candidates,
    decisionMs: decision.decisionMs,
  };
  if (decision.quality !== undefined) logged.quality = decision.quality;
  if (decision.artifact !== undefined) logged.artifact = decision.artifact;
  if (maxCostUsd !== undefined) logged.maxCostUsd = maxCostUsd;
  if (decision.arm !== undefined) logged.arm = decision.arm;
  // The shadow record is shared: the shadow arm may fill it in after this.
  if (decision.shadow !== undefined) logged.shadow = decision.shadow;
  return logged;
}

/** What a request is billed, and the token counts its trace and ledger keep. */
interface Bill {
  costUsd: number | null;
  /** Reported (believed) or counted tokens; null when unknown or rejected. */
  inputTokens: number | null;
  outputTokens: number | null;
  /** Tokens booked in the ledger (the worst case's when the usage was rejected). */
  ledgerInputTokens: number;
  ledgerOutputTokens: number;
}

/**
 * What a finished request is billed:
 * - a strategy's own total (several calls) as given, never negative;
 * - believed usage (see `judgeUsage`) at the serving target's prices — also above the worst case;
 * - rejected usage (negative, NaN, absurd): never stored; the worst case is billed and the rejection logged;
 * - no usage: a stream is billed its prompt and the completion tokens it delivered; another answered
 *   request its worst case; a request no upstream answered nothing.
 */
function billOf(scope: RequestScope, outcome: RequestOutcome, answered: boolean, logger: GatewayLogger): Bill {
  if (outcome.costUsd !== undefined) {
    const input = tokens(outcome.usage?.prompt_tokens);
    const output = tokens(outcome.usage?.completion_tokens);
    const costUsd = Number.isFinite(outcome.costUsd) ? Math.max(0, outcome.costUsd) : 0;
    return { costUsd, inputTokens: input, outputTokens: output, ledgerInputTokens: input ?? 0, ledgerOutputTokens: output ?? 0 };
  }
  const { target } = outcome;
  if (target === undefined) return { costUsd: null, inputTokens: null, outputTokens: null, ledgerInputTokens: 0, ledgerOutputTokens: 0 };
  const worstCase = scope.worstCases?.of(target);
  const verdict = judgeUsage(outcome.usage, target, worstCase);
  if (verdict.kind === "reported") {
    if (verdict.overWorstCase) {
      logger.warn({ requestId: scope.requestId, target: target.id, costUsd: verdict.costUsd, worstCaseUsd: worstCase?.costUsd }, "upstream billed more than the request's worst case; billed as reported");
    }
    return { costUsd: verdict.costUsd, inputTokens: verdict.inputTokens, outputTokens: verdict.outputTokens, ledgerInputTokens: verdict.inputTokens, ledgerOutputTokens: verdict.outputTokens };
  }
  // Billing without believed usage: the tightest worst case known (the tokenizer's count where loaded).
  const tightest = scope.worstCases?.of(target, true) ?? worstCase;
  const worst = tightest === undefined ? undefined : { costUsd: tightest.costUsd, input: tightest.promptTokens, output: tightest.choices * tightest.outputCap };
  if (verdict.kind === "rejected") {
    logger.warn({ requestId: scope.requestId, target: target.id, reason: verdict.reason, billedUsd: worst?.costUsd ?? scope.reservation?.amountUsd ?? 0 }, "upstream usage rejected; billed the request's worst case");
    const costUsd = worst?.costUsd ?? scope.reservation?.amountUsd ?? 0;
    return { costUsd, inputTokens: null, outputTokens: null, ledgerInputTokens: worst?.input ?? 0, ledgerOutputTokens: worst?.output ?? 0 };
  }
  if (!answered) return { costUsd: null, inputTokens: null, outputTokens: null, ledgerInputTokens: 0, ledgerOutputTokens: 0 };
  if (scope.deliveredOutputTokens !== undefined && tightest !== undefined) {
    const output = scope.deliveredOutputTokens();
    const costUsd = costUsdOf(target, tightest.promptTokens, output);
    return { costUsd, inputTokens: tightest.promptTokens, outputTokens: output, ledgerInputTokens: tightest.promptTokens, ledgerOutputTokens: output };
  }
  const costUsd = worst?.costUsd ?? scope.reservation?.amountUsd ?? null;
  return { costUsd, inputTokens: null, outputTokens: null, ledgerInputTokens: worst?.input ?? 0, ledgerOutputTokens: worst?.output ?? 0 };
}

/** A journal line: a class, so absent parts are left out of the JSON without spreading literals. */
class JournalLine {
  readonly trace: TraceRecord | undefined;
  readonly settlement: SettleInput | undefined;
  constructor(trace: TraceRecord | undefined, settlement: SettleInput | undefined) {
    this.trace = trace;
    this.settlement = settlement;
  }
}

/**
 * Request scopes of this process not finished yet. When the one recording is the only one, no other
 * request can finish in this turn and share its journal group, and the transport does not wait for the
 * group's write: the line is serialised in `record`, the transport hands the response to the socket and
 * then calls `finish`, which writes the line with one `write(2)` — the one-connection case. The window this
 * leaves: a `kill -9` landing between the socket's write and the journal's, two system calls of the same
 * synchronous step (no serialisation and no I/O wait between them). `benchmarks/crash-durability.ts
 * --connections 1` counts the records lost (docs/production.md, *Durability*). With other requests in
 * flight the transports wait for the group (durable before the last byte).
 */
let openScopes = 0;

/** Starts the bookkeeping of one request (see {@link RequestScope}). */
export function createRequestScope(options: RequestScopeOptions): RequestScope {
  const { services, now, logger } = options;
  const startedAt = now();
  services.metrics.inFlight(1);
  openScopes++;
  // `finished` is a data property, not a getter (no accessor pairs on per-request objects).
  let recorded: { latencyMs: number; inputTokens: number | null; outputTokens: number | null; costUsd: number | null; errorCode: string | null } | undefined;
  // This request's journal line waits in its group unwritten, for `finish` to write (see `openScopes`).
  let lineWaits = false;
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
    promptHash: undefined,
    stages: undefined,
    worstCases: undefined,
    deliveredOutputTokens: undefined,
    routed: false,
    // The cost a client is told (header): believed usage, or the worst case billed for rejected usage.
    // Method shorthand, not an arrow: tsx's keep-names helper wraps every named arrow on each request.
    costOf(target, usage) {
      const { worstCases } = scope;
      if (worstCases === undefined) return costOfUsage(target, usage);
      const verdict = judgeUsage(usage, target, worstCases.of(target));
      return verdict.kind === "reported" ? verdict.costUsd : verdict.kind === "rejected" ? worstCases.of(target, true).costUsd : null;
    },
    finished: false,
    record(outcome) {
      if (recorded !== undefined) return undefined;
      const latencyMs = now() - startedAt;
      const { key, requestedModel } = scope;
      const answered = scope.attempts.some((attempt) => attempt.outcome === "ok");
      const billed = billOf(scope, outcome, answered, logger);
      const { inputTokens, outputTokens, costUsd } = billed;
      const errorCode = outcome.error?.code ?? null;
      recorded = { latencyMs, inputTokens, outputTokens, costUsd, errorCode };

      let settlement: SettleInput | undefined;
      if (key !== null && scope.reservation !== undefined) {
        const { reservation } = scope;
        settlement = {
          keyId: reservation.keyId,
          periodStart: reservation.periodStart,
          reservedUsd: reservation.amountUsd,
          actualUsd: Math.max(0, costUsd ?? 0),
          inputTokens: billed.ledgerInputTokens,
          outputTokens: billed.ledgerOutputTokens,
        };
      }
      let trace: TraceRecord | undefined;
      // Requests refused before routing are counted in the metrics, not stored (unless sampled).
      if (services.traces && (scope.routed || services.sampleRejectedTrace())) {
        const { decision } = scope;
        trace = {
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
          upstreamMs: scope.attempts.length === 0 ? null : scope.attempts.reduce((sum, attempt) => sum + attempt.durationMs, 0),
          decision: decision ? traceDecisionOf(decision, scope.maxCostUsd) : null,
          attempts: scope.attempts,
          fallbacks: scope.fallbacks,
          inputTokens,
          outputTokens,
          costUsd,
        };
        if (options.clientRequestId !== undefined) trace.clientRequestId = options.clientRequestId;
        if (options.storeText && scope.prompt !== undefined) trace.prompt = scope.prompt;
        if (scope.promptHash !== undefined) trace.promptHash = scope.promptHash;
        if (scope.stages !== undefined) trace.stages = scope.stages;
        if (options.storeText && outcome.response !== undefined) trace.response = outcome.response;
      }
      // Journal first (group commit: durable against a crash once `written` settled), then the batched
      // writers, which record in the store which journal bytes they covered.
      const journal = services.store.journal;
      let written: Promise<void> | undefined;
      if (journal !== undefined && (trace !== undefined || settlement !== undefined)) {
        try {
          written = journal.append(new JournalLine(trace, settlement));
          // Alone in flight: nobody else can join this group, so the transport does not wait for it —
          // it sends, then `finish` (run right after the send, in the same synchronous step) writes the
          // line. `openScopes` says what window this leaves.
          if (openScopes === 1) {
            written = undefined;
            lineWaits = true;
          }
        } catch (error) {
          logger.error({ requestId: scope.requestId, error: error instanceof Error ? error.message : String(error) }, "request journal write failed");
        }
      }
      if (settlement !== undefined && scope.reservation !== undefined) {
        services.budgets
          .settle(scope.reservation, { costUsd: settlement.actualUsd, inputTokens: settlement.inputTokens, outputTokens: settlement.outputTokens })
          .catch((error: unknown) => logger.error({ requestId: scope.requestId, error: error instanceof Error ? error.message : String(error) }, "budget settlement failed"));
      }
      if (trace !== undefined) services.traces?.add(trace);
      return written;
    },
    finish(outcome) {
      if (scope.finished) return;
      scope.finished = true;
      openScopes--;
      // Writes this request's line now if it still waits: the one-request case above (the response was just
      // sent), or `finish` without a `record` before it (the caller sends right after). Only then: the
      // groups of concurrent requests keep their one write per event-loop turn.
      if (scope.record(outcome) !== undefined || lineWaits) services.store.journal?.flush();
      const { latencyMs, inputTokens, outputTokens, costUsd, errorCode } = recorded as NonNullable<typeof recorded>;
      const { key, requestedModel } = scope;
      const answered = scope.attempts.some((attempt) => attempt.outcome === "ok");
      if (scope.pacingTicket !== undefined && options.pacing !== undefined) {
        const predicted = scope.decision?.candidates.find((candidate) => candidate.model === outcome.target?.id)?.predictedCostUsd;
        options.pacing.settle(scope.pacingTicket, costUsd ?? (answered ? scope.pacingTicket.reservedUsd : 0), answered, predicted);
      }
      if (key !== null && key.tpm !== null && inputTokens !== null) {
        services.limiter.correctTokens(key.id, key, scope.admittedTokens, inputTokens + (outputTokens ?? 0));
      }

      // "none": refused before a key was identified; "open": served without keys (loopback, no key exists).
      const keyLabel = key?.name ?? (scope.routed || outcome.status < 400 ? "open" : "none");
      const rejected = !scope.routed;
      if (rejected && outcome.error !== undefined) services.metrics.recordRejected(options.endpoint, outcome.error.code);
      if (outcome.error?.code === "rate_limited") services.metrics.recordRateLimitHit?.(keyLabel);
      const modelLabel = outcome.target?.id ?? (requestedModel === null ? "none" : requestedModel === "auto" || options.isKnownModel(requestedModel) ? requestedModel : "other");
      services.metrics.inFlight(-1);
      services.metrics.recordRequest({ endpoint: options.endpoint, model: modelLabel, status: outcome.status, key: keyLabel, stream: scope.stream, durationMs: latencyMs });
      if (outcome.target && (inputTokens !== null || outputTokens !== null)) {
        services.metrics.recordUsage({ model: outcome.target.id, key: keyLabel, inputTokens: inputTokens ?? 0, outputTokens: outputTokens ?? 0, costUsd: costUsd ?? 0 });
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
