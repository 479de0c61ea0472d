import type { Decision } from "../core/decision.js";

/** Header names the gateway adds to every chat-completion response. */
export const decisionHeaderNames = {
  model: "x-switchyard-model",
  router: "x-switchyard-router",
  predictedQuality: "x-switchyard-predicted-quality",
  predictedCostUsd: "x-switchyard-predicted-cost-usd",
  decisionMs: "x-switchyard-decision-ms",
  propensity: "x-switchyard-propensity",
  firstChoice: "x-switchyard-first-choice",
} as const;

/** The `router` value sent when the client named a target and routing was bypassed. */
export const fixedRouterName = "fixed";

/**
 * Decision headers for a response: the target that answers (`targetId`: after a fallback the one that
 * served, not the one first chosen), the router that chose it, that target's predicted quality and cost
 * as the router saw them, the time spent deciding, and the router's first choice in
 * `x-switchyard-first-choice` (equal to the model unless a fallback happened). A request that named a
 * target (no decision) gets only the model and `x-switchyard-router: fixed`.
 */
export function decisionHeaders(targetId: string, decision: Decision | undefined): Record<string, string> {
  if (decision === undefined) return { [decisionHeaderNames.model]: targetId, [decisionHeaderNames.router]: fixedRouterName };
  const headers: Record<string, string> = {
    [decisionHeaderNames.model]: targetId,
    [decisionHeaderNames.router]: decision.router,
    [decisionHeaderNames.decisionMs]: decision.decisionMs.toFixed(3),
    [decisionHeaderNames.firstChoice]: decision.model,
  };
  // Online (bandit) routers: the probability the policy chose its first choice with (off-policy evaluation uses it).
  if (decision.propensity !== undefined) headers[decisionHeaderNames.propensity] = String(round(decision.propensity, 6));
  const chosen = decision.candidates.find((candidate) => candidate.model === targetId);
  if (chosen !== undefined) {
    headers[decisionHeaderNames.predictedQuality] = String(round(chosen.predictedQuality, 4));
    headers[decisionHeaderNames.predictedCostUsd] = String(Number(chosen.predictedCostUsd.toPrecision(6)));
  }
  return headers;
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
