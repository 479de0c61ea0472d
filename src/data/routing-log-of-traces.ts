import type { TraceRecord } from "../stores/trace-record.js";
import type { RoutingLogEntry } from "./routing-log-entry.js";

/** What {@link routingLogOfTraces} wrote and why it left traces out. */
export interface RoutingLogExport {
  entries: RoutingLogEntry[];
  /** Traces that were not routed (a named model, a strategy, an error before routing). */
  notRouted: number;
  /** Routed traces whose answer came from a fallback, not the chosen target (the policy's propensity does not describe them). */
  servedByFallback: number;
  /** Routed traces without an answer (failed requests). */
  failed: number;
  /** Routed traces from before the decision log recorded the choice and propensity. */
  withoutPropensity: number;
}

/**
 * The reward of a trace: the client's feedback when given, else the latest reward joined later (judge,
 * grader); undefined when neither exists.
 */
export function rewardOfTrace(trace: TraceRecord): number | undefined {
  if (trace.feedback !== undefined) return trace.feedback.score;
  const rewards = trace.rewards;
  return rewards !== undefined && rewards.length > 0 ? rewards[rewards.length - 1]!.score : undefined;
}

/**
 * Turns stored traces into decision-log entries (one per routed, answered decision). A trace whose
 * answer came from a fallback target is left out: the logged propensity is the probability of the
 * router's choice, not of the fallback, so keeping it would bias off-policy estimates. When the
 * upstream reported no usage the realised cost is unknown and the served candidate's predicted cost
 * stands in (`costEstimated: true`).
 */
export function routingLogOfTraces(traces: readonly TraceRecord[]): RoutingLogExport {
  const result: RoutingLogExport = { entries: [], notRouted: 0, servedByFallback: 0, failed: 0, withoutPropensity: 0 };
  // Oldest first: a log reads in the order traffic happened.
  for (const trace of [...traces].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))) {
    const decision = trace.decision;
    if (decision === null) {
      result.notRouted++;
      continue;
    }
    if (trace.servedModel === null || trace.status >= 400) {
      result.failed++;
      continue;
    }
    if (decision.model === undefined || decision.propensity === undefined) {
      result.withoutPropensity++;
      continue;
    }
    if (trace.servedModel !== decision.model) {
      result.servedByFallback++;
      continue;
    }
    const served = decision.candidates.find((candidate) => candidate.model === decision.model);
    const entry: RoutingLogEntry = {
      id: trace.id,
      model: decision.model,
      propensity: decision.propensity,
      costUsd: trace.costUsd ?? served?.predictedCostUsd ?? 0,
      candidates: decision.candidates.map((c) => ({ model: c.model, predictedQuality: c.predictedQuality, predictedCostUsd: c.predictedCostUsd })),
      router: decision.router,
      artifact: decision.artifact ?? "",
    };
    if (trace.prompt !== undefined) entry.prompt = trace.prompt;
    if (trace.promptHash !== undefined) entry.promptHash = trace.promptHash;
    const reward = rewardOfTrace(trace);
    if (reward !== undefined) entry.reward = reward;
    if (trace.costUsd === null) entry.costEstimated = true;
    if (decision.quality !== undefined) entry.knob = decision.quality;
    entry.willingnessToPay = decision.willingnessToPay;
    entry.latencyMs = trace.latencyMs;
    entry.createdAt = trace.createdAt;
    result.entries.push(entry);
  }
  return result;
}

/** One JSONL line of an entry, fields in the documented order. */
export function routingLogLine(entry: RoutingLogEntry): string {
  const { id, prompt, promptHash, model, propensity, reward, costUsd, candidates, router, artifact, ...rest } = entry;
  return JSON.stringify({ id, prompt, promptHash, model, propensity, reward, costUsd, candidates, router, artifact, ...rest });
}
