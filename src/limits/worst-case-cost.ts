import { encodingOfTarget, type TokenizedTarget } from "../core/openai-tokenizer.js";
import { costUsdOf, type Target } from "../core/target.js";
import { exactPromptTokensOf, type RequestNeeds } from "../providers/request-needs.js";

/** What the worst case needs to know of a target. */
export interface BillableTarget extends Pick<Target, "inputUsdPerMTok" | "outputUsdPerMTok" | "contextWindow">, TokenizedTarget {
  /** Most completion tokens per answer the gateway lets this target produce (sent upstream). */
  maxOutputTokens?: number;
}

/** The most a request can be billed by one target. */
export interface WorstCase {
  /** Prompt tokens counted: exact (the target's tokenizer) or the byte bound. */
  promptTokens: number;
  /** Whether `promptTokens` is the tokenizer's count rather than the byte bound. */
  exact: boolean;
  /** Completion tokens per answer, sent upstream as the request's output cap. */
  outputCap: number;
  /** Answers (`n`). */
  choices: number;
  /** promptTokens × input price + choices × outputCap × output price. */
  costUsd: number;
}

/**
 * The effective output cap: the smallest of the client's `max_tokens` / `max_completion_tokens`
 * (already folded into `needs.maxOutputTokens`) and the target's `maxOutputTokens` (default
 * `defaultMaxOutputTokens`) — without a client cap, also at most the context window minus the prompt. The gateway always sends it upstream, so no answer can be billed for
 * more completion tokens than the reservation covers.
 */
export function outputCapOf(needs: Pick<RequestNeeds, "maxOutputTokens" | "promptTokens">, target: BillableTarget, defaultMaxOutputTokens: number): number {
  const targetCap = target.maxOutputTokens ?? defaultMaxOutputTokens;
  if (needs.maxOutputTokens !== undefined) return Math.min(needs.maxOutputTokens, targetCap);
  // The client set no cap: leave room for the prompt in the context window (its estimate + 10%), so the
  // cap the gateway adds never makes the upstream refuse a request it would have served without one.
  const room = target.contextWindow - Math.ceil(needs.promptTokens * 1.1);
  return Math.max(1, Math.min(targetCap, room));
}

/**
 * The worst case a request can be billed by `target`: prompt tokens × input price + every choice's
 * output cap × output price. Prompt tokens are the byte bound unless `exact` is asked and the
 * target's OpenAI tokenizer is loaded (then its count, memoised on `needs`).
 */
export { encodingOfTarget };

export function worstCaseOf(needs: RequestNeeds, target: BillableTarget, options: { defaultMaxOutputTokens: number; exact?: boolean }): WorstCase {
  let promptTokens = needs.promptTokenBound;
  let exact = false;
  if (options.exact === true) {
    const encoding = encodingOfTarget(target);
    const counted = encoding === undefined ? undefined : exactPromptTokensOf(needs, encoding);
    if (counted !== undefined) {
      promptTokens = Math.min(counted, promptTokens);
      exact = true;
    }
  }
  const outputCap = outputCapOf(needs, target, options.defaultMaxOutputTokens);
  return { promptTokens, exact, outputCap, choices: needs.choices, costUsd: costUsdOf(target, promptTokens, needs.choices * outputCap) };
}

/**
 * Where a request's output cap goes upstream: the field the client used (one field only: some APIs
 * refuse both); without one, the field the model family accepts (o-series and GPT-5 refuse `max_tokens`).
 */
export function outputCapFieldOf(body: Readonly<Record<string, unknown>>, upstreamModel: string): "max_tokens" | "max_completion_tokens" {
  if (body.max_completion_tokens != null) return "max_completion_tokens";
  if (body.max_tokens != null) return "max_tokens";
  return /^(openai\/)?(o[1-9]|gpt-5)/i.test(upstreamModel) ? "max_completion_tokens" : "max_tokens";
}
