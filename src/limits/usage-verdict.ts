import { costUsdOf, type Target } from "../core/target.js";
import type { WorstCase } from "./worst-case-cost.js";

/**
 * Reported usage above this many times the request's worst case is not believed (an upstream bug or a
 * hostile proxy), and the worst case is billed instead.
 */
export const absurdUsageFactor = 4;

/** What settlement makes of the usage an upstream reported. */
export type UsageVerdict =
  | { kind: "reported"; inputTokens: number; outputTokens: number; costUsd: number; /** Above the worst case (billed as reported, and logged). */ overWorstCase: boolean }
  | { kind: "rejected"; reason: string }
  | { kind: "missing" };

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/**
 * Judges reported usage (OpenAI's `prompt_tokens` / `completion_tokens`) against the request's worst
 * case on the serving target: missing when there is none; rejected when a count is not a non-negative
 * integer (negative, NaN, a string), when the prompt exceeds the target's context window or the
 * completion its `choices` × context window, or when its cost exceeds {@link absurdUsageFactor} × the
 * worst case; otherwise believed — also above the worst case (an upstream that ignored the output
 * cap, a tokenizer the bound does not cover): the gateway never bills less than the upstream reports.
 */
export function judgeUsage(usage: unknown, target: Pick<Target, "inputUsdPerMTok" | "outputUsdPerMTok" | "contextWindow">, worstCase: WorstCase | undefined): UsageVerdict {
  if (usage === undefined || usage === null) return { kind: "missing" };
  if (typeof usage !== "object") return { kind: "rejected", reason: "usage is not an object" };
  const { prompt_tokens: prompt, completion_tokens: completionField } = usage as { prompt_tokens?: unknown; completion_tokens?: unknown };
  if (prompt === undefined && completionField === undefined) return { kind: "missing" };
  const completion = completionField ?? 0;
  if (!isCount(prompt) || !isCount(completion)) {
    return { kind: "rejected", reason: `usage is not a pair of non-negative integers (prompt_tokens ${JSON.stringify(prompt)}, completion_tokens ${JSON.stringify(completion)})` };
  }
  const choices = worstCase?.choices ?? 1;
  if (prompt > target.contextWindow || completion > choices * target.contextWindow) {
    return { kind: "rejected", reason: `usage exceeds the target's context window (${prompt} prompt + ${completion} completion tokens, window ${target.contextWindow})` };
  }
  const costUsd = costUsdOf(target, prompt, completion);
  if (worstCase !== undefined && worstCase.costUsd > 0 && costUsd > absurdUsageFactor * worstCase.costUsd) {
    return { kind: "rejected", reason: `usage costs $${costUsd} — more than ${absurdUsageFactor}× the request's worst case $${worstCase.costUsd}` };
  }
  return { kind: "reported", inputTokens: prompt, outputTokens: completion, costUsd, overWorstCase: worstCase !== undefined && costUsd > worstCase.costUsd };
}
