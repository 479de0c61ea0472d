import { SwitchyardError } from "../core/errors.js";
import type { Store } from "../stores/store.js";
import type { TraceFilter, TraceRecord } from "../stores/trace-record.js";
import { encodeCursor } from "./admin-api-params.js";

const guardRefusals: Record<string, string> = { content_policy_violation: "refused: unsafe", out_of_domain: "refused: out of domain" };

/** The guard's verdict on a request: its refusal reason (the error code), `allowed`, or the model it rerouted to; null when no guard ran. */
function guardVerdictOf(trace: TraceRecord): string | null {
  const refusal = trace.errorCode === null ? undefined : guardRefusals[trace.errorCode];
  if (refusal !== undefined) return refusal;
  switch (trace.stages?.guard) {
    case "allow":
      return "allowed";
    case "reroute":
      return `rerouted to ${trace.servedModel ?? "its safe model"}`;
    case "refuse":
      return "refused";
    default:
      return null;
  }
}

/** One row of the decisions list. */
function summaryOf(trace: TraceRecord) {
  return {
    id: trace.id,
    createdAt: trace.createdAt,
    keyId: trace.keyId,
    endpoint: trace.endpoint,
    requestedModel: trace.requestedModel,
    servedModel: trace.servedModel,
    router: trace.decision?.router ?? null,
    status: trace.status,
    errorCode: trace.errorCode,
    latencyMs: trace.latencyMs,
    costUsd: trace.costUsd,
    fallbacks: trace.fallbacks,
    feedback: trace.feedback?.score ?? null,
    prompt: trace.prompt === undefined ? null : trace.prompt.length > 200 ? `${trace.prompt.slice(0, 200)}…` : trace.prompt,
  };
}

/** `GET /admin/api/decisions`: one page of traces, newest first, with the cursor of the next page. */
export async function decisionsOf(store: { traces: Pick<Store["traces"], "list"> }, query: { filter: TraceFilter; pageSize: number }) {
  const traces = await store.traces.list(query.filter);
  const page = traces.slice(0, query.pageSize);
  const last = page.at(-1);
  return {
    object: "list",
    data: page.map(summaryOf),
    next: traces.length > query.pageSize && last !== undefined ? encodeCursor(last.createdAt, last.id) : null,
  };
}

/** `GET /admin/api/decisions/:id`: one trace with every candidate the router scored and what happened after. */
export async function decisionOf(store: Store, id: string) {
  const trace = await store.traces.get(id);
  if (trace === undefined) throw new SwitchyardError("trace_not_found", `No trace with id "${id}"`, { param: "id" });
  const decision = trace.decision;
  const candidates = (decision?.candidates ?? []).map((candidate) => ({
    ...candidate,
    chosen: candidate.model === decision?.model,
    served: candidate.model === trace.servedModel,
  }));
  const retries = trace.attempts.filter((attempt) => attempt.attempt > 1).length;
  return {
    object: "dashboard.decision",
    ...summaryOf(trace),
    prompt: trace.prompt ?? null,
    response: trace.response ?? null,
    stream: trace.stream,
    upstreamMs: trace.upstreamMs,
    inputTokens: trace.inputTokens,
    outputTokens: trace.outputTokens,
    decision: decision === null ? null : { ...decision, candidates },
    guard: guardVerdictOf(trace),
    route: trace.stages?.route ?? null,
    attempts: trace.attempts,
    retries,
    feedback: trace.feedback ?? null,
    judge: trace.judge ?? null,
    rewards: trace.rewards ?? [],
  };
}
