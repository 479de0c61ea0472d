import { promptTextOf, type ChatMessage } from "../core/query.js";
import { costUsdOf, type Target } from "../core/target.js";
import { estimateTokens } from "../core/tokens.js";

/** Completion tokens assumed when the body sets no `max_tokens` / `max_completion_tokens`. */
export const assumedOutputTokens = 256;

/**
 * Predicted USD cost of one call of `target` on `body`: estimated prompt tokens plus `max_tokens`
 * (or {@link assumedOutputTokens}) at the target's prices. Used for cost caps before a call is made.
 */
export function predictedCallCostUsd(target: Target, body: Readonly<Record<string, unknown>>): number {
  const promptTokens = estimateTokens(promptTextOf((body.messages ?? []) as readonly ChatMessage[]));
  const limit = body.max_completion_tokens ?? body.max_tokens;
  const outputTokens = typeof limit === "number" && limit > 0 ? limit : assumedOutputTokens;
  return costUsdOf(target, promptTokens, outputTokens);
}
