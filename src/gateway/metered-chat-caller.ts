import { SwitchyardError } from "../core/errors.js";
import { loadOpenAITokenizer } from "../core/openai-tokenizer.js";
import type { BudgetGuard, Reservation } from "../limits/budget-guard.js";
import { judgeUsage } from "../limits/usage-verdict.js";
import { encodingOfTarget, outputCapFieldOf, worstCaseOf, type BillableTarget, type WorstCase } from "../limits/worst-case-cost.js";
import { requestNeedsOf } from "../providers/request-needs.js";
import type { ApiKeyRecord } from "../stores/api-key-record.js";
import type { ChatCaller, ChatCallRequest, ChatCallResult } from "../strategies/chat-caller.js";
import type { GatewayLogger } from "./gateway-logger.js";

/** Options of {@link createMeteredChatCaller}. */
export interface MeteredChatCallerOptions {
  /** The caller that reaches the upstreams (`createUpstreamChatCaller`). */
  caller: ChatCaller;
  budgets: BudgetGuard;
  /** The request's key (null: open gateway, nothing is reserved). */
  key: ApiKeyRecord | null;
  /** The request's reservation, raised before each sub-call (undefined: nothing is reserved). */
  reservation: Reservation | undefined;
  defaultMaxOutputTokens: number;
  logger: GatewayLogger;
  requestId: string;
}

/** What the sub-calls of one strategy request were billed, whatever the strategy made of them. */
export interface ChatCallMeter {
  readonly caller: ChatCaller;
  /** Sum of every answered sub-call's bill (answers, judges, aggregator — also ones the strategy stopped waiting for). */
  billedUsd(): number;
  inputTokens(): number;
  outputTokens(): number;
}

/**
 * The budget rules of a chat completion applied to each sub-call of a cascade or fan-out: the call's
 * worst case (its own body's prompt bound, `n`, and the output cap — the smallest of its
 * `max_tokens` / `max_completion_tokens` and the target's `maxOutputTokens` — which is always sent
 * upstream) is added to the request's reservation before the call leaves, or the call is refused with
 * `budget_exceeded` (the strategy treats it as a failed call); the answer is billed by the same verdict
 * as a chat completion (believed usage, also above the worst case; rejected or missing usage: the worst
 * case). Raises are serialised, so concurrent fan-out calls never race on the reservation.
 */
export function createMeteredChatCaller(options: MeteredChatCallerOptions): ChatCallMeter {
  const { budgets, key, reservation, logger, requestId } = options;
  let billedUsd = 0;
  let inFlightUsd = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let raises: Promise<unknown> = Promise.resolve();

  const raiseBy = (worstUsd: number): Promise<boolean> => {
    if (key === null || reservation === undefined || key.budgetUsd === null) return Promise.resolve(true);
    const raised = raises.then(async () => {
      inFlightUsd += worstUsd;
      if (await budgets.raise(key, reservation, billedUsd + inFlightUsd)) return true;
      inFlightUsd -= worstUsd;
      return false;
    });
    raises = raised.catch(() => undefined);
    return raised;
  };

  /** The call's worst case on the bound, or — when that does not fit — with the target's tokenizer count. */
  const reserve = async (worst: WorstCase, request: ChatCallRequest, needs: ReturnType<typeof requestNeedsOf>): Promise<WorstCase> => {
    if (await raiseBy(worst.costUsd)) return worst;
    const target = request.target as BillableTarget;
    const encoding = encodingOfTarget(target);
    if (encoding !== undefined && (await loadOpenAITokenizer(encoding).then(() => true, () => false))) {
      const exact = worstCaseOf(needs, target, { defaultMaxOutputTokens: options.defaultMaxOutputTokens, exact: true });
      if (exact.exact && exact.costUsd < worst.costUsd && (await raiseBy(exact.costUsd))) return exact;
    }
    throw new SwitchyardError("budget_exceeded", `The key "${key?.name ?? ""}" cannot cover the sub-call to "${request.target.id}", which may cost up to $${worst.costUsd.toFixed(6)}`);
  };

  const caller: ChatCaller = async (request) => {
    const target = request.target as BillableTarget;
    const needs = requestNeedsOf(request.body);
    const bound = worstCaseOf(needs, target, { defaultMaxOutputTokens: options.defaultMaxOutputTokens });
    const worst = await reserve(bound, request, needs);
    const body: Record<string, unknown> = {};
    for (const field in request.body) if (field !== "max_tokens" && field !== "max_completion_tokens") body[field] = request.body[field];
    body[outputCapFieldOf(request.body, request.target.upstreamModel ?? request.target.id)] = worst.outputCap;
    let result: ChatCallResult;
    try {
      result = await options.caller({ ...request, body });
    } catch (error) {
      inFlightUsd -= worst.costUsd;
      throw error;
    }
    inFlightUsd -= worst.costUsd;
    const verdict = judgeUsage((result.raw as { usage?: unknown } | null)?.usage, request.target, worst);
    let costUsd: number;
    let usage: ChatCallResult["usage"];
    if (verdict.kind === "reported") {
      if (verdict.overWorstCase) logger.warn({ requestId, target: request.target.id, costUsd: verdict.costUsd, worstCaseUsd: worst.costUsd }, "upstream billed more than the sub-call's worst case; billed as reported");
      costUsd = verdict.costUsd;
      usage = { prompt_tokens: verdict.inputTokens, completion_tokens: verdict.outputTokens };
    } else {
      if (verdict.kind === "rejected") logger.warn({ requestId, target: request.target.id, reason: verdict.reason, billedUsd: worst.costUsd }, "upstream usage rejected; billed the sub-call's worst case");
      costUsd = worst.costUsd;
      usage = { prompt_tokens: worst.promptTokens, completion_tokens: worst.choices * worst.outputCap };
    }
    billedUsd += costUsd;
    inputTokens += usage.prompt_tokens;
    outputTokens += usage.completion_tokens;
    return { ...result, usage, costUsd };
  };

  return { caller, billedUsd: () => billedUsd, inputTokens: () => inputTokens, outputTokens: () => outputTokens };
}
