import type { ChatMessage, Query } from "../core/query.js";
import { refusalErrorOf } from "../guard/guard-stage.js";
import type { TraceStages } from "../stores/trace-record.js";
import { requestContextOf } from "../routers/policy/request-rules.js";
import type { ChatCompletionRequest } from "./chat-request.js";
import type { GatewayContext } from "./gateway-context.js";

/** Response header with the guard's verdict on a routed request: `allow`, `refuse` or `reroute`. */
export const guardHeader = "x-switchyard-guard";
/** Response header with the route a policy chose (`default` when none matched). */
export const routeHeader = "x-switchyard-route";

/** What the guard and the policy decided for a request. */
export interface RouteStages {
  /** The model the guard rerouted to (serve it without routing), when it did. */
  model?: string;
  /** Candidates the policy's route allows. */
  only?: ReadonlySet<string>;
  /** Quality knob a policy rule set. */
  quality?: number;
  /** Headers to send (guard verdict, route name). */
  headers: Record<string, string>;
}

/**
 * Runs the configured guard stage, then the route policy, as `run` says (the caller runs the guard on every
 * request unless `guard.appliesTo: routed`, the policy on `model: "auto"` only; docs/guard-and-policy.md:
 * guarded query routing, Šléher et al. 2025; two-step routing, Composition of Experts, Jain et al. 2024).
 * A refusal throws the OpenAI-shaped 400 (`content_policy_violation` or `out_of_domain`), with the guard
 * header attached by the caller's error path through `headers`. Does nothing when neither is configured.
 */
export async function applyRouteStages(
  context: GatewayContext,
  request: ChatCompletionRequest,
  headers: Record<string, string>,
  run: { guard: boolean; policy: boolean } = { guard: true, policy: true },
): Promise<RouteStages> {
  const stages: RouteStages = { headers: {} };
  const query: Query = { messages: request.messages as readonly ChatMessage[] };
  if (context.guard && run.guard) {
    const verdict = await context.guard.check(query);
    stages.headers[guardHeader] = verdict.action;
    headers[guardHeader] = verdict.action;
    if (verdict.action === "refuse") throw refusalErrorOf(verdict);
    if (verdict.action === "reroute" && verdict.model !== undefined) {
      stages.model = verdict.model;
      return stages;
    }
  }
  if (context.policy && run.policy) {
    const metadata = (request as { metadata?: unknown }).metadata;
    const metadataObject = metadata !== null && typeof metadata === "object" && !Array.isArray(metadata) ? (metadata as Record<string, unknown>) : undefined;
    const tags = tagsOf(metadataObject?.tags);
    const selection = await context.policy.selectRoute(
      query,
      requestContextOf({
        messages: query.messages,
        model: request.model,
        ...(request.tools ? { tools: request.tools } : {}),
        ...(request.user !== undefined ? { user: request.user } : {}),
        ...(metadataObject ? { metadata: metadataObject } : {}),
        ...(tags.length > 0 ? { tags } : {}),
      }),
    );
    stages.headers[routeHeader] = selection.route ?? "default";
    headers[routeHeader] = selection.route ?? "default";
    if (selection.models.length > 0) stages.only = new Set(selection.models);
    if (selection.quality !== undefined) stages.quality = selection.quality;
  }
  return stages;
}

/** The stages' verdicts as a trace keeps them, read from the response headers {@link applyRouteStages} set (also when it threw a refusal). */
export function traceStagesOf(headers: Readonly<Record<string, string>>): TraceStages | undefined {
  const guard = headers[guardHeader];
  const route = headers[routeHeader];
  if (guard === undefined && route === undefined) return undefined;
  const stages: TraceStages = {};
  if (guard === "allow" || guard === "refuse" || guard === "reroute") stages.guard = guard;
  if (route !== undefined) stages.route = route;
  return stages;
}

/**
 * The request's tags for policy rules: OpenAI's `metadata` values are strings, so `metadata.tags` is a
 * comma-separated list (`"legal, eu"`); an array of strings is accepted too.
 */
export function tagsOf(value: unknown): string[] {
  const items = typeof value === "string" ? value.split(",") : Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
}
