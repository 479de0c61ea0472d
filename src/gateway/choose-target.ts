import type { Decision } from "../core/decision.js";
import { SwitchyardError } from "../core/errors.js";
import type { ChatMessage } from "../core/query.js";
import type { Target } from "../core/target.js";
import { filterTargetsByNeeds, type RequestNeeds } from "../providers/request-needs.js";
import type { ApiKeyRecord } from "../stores/api-key-record.js";
import type { ChatCompletionRequest } from "./chat-request.js";
import type { GatewayTarget } from "./config.js";
import type { GatewayContext } from "./gateway-context.js";

/** The model name that asks the gateway to route. */
export const autoModel = "auto";

/** Header carrying the quality knob when the body has no `quality`. */
export const qualityHeader = "x-switchyard-quality";

/** The target a request goes to, the ones it may fall back to, and, when it was routed, the decision. */
export interface TargetChoice {
  /** The first target to try. */
  target: Target;
  decision: Decision | undefined;
  /** `target` then the router's next-best candidates, in order (just `target` for a named model). */
  candidates: Target[];
}

/** What beyond the request itself constrains the choice. */
export interface ChooseTargetOptions {
  /** Value of the `x-switchyard-quality` header. */
  qualityHeaderValue?: string;
  /** The request's API key (its `models` restrict routing), null when the gateway runs open. */
  key?: ApiKeyRecord | null;
  /** What the request needs (context window, tools, JSON mode, images). */
  needs?: RequestNeeds;
  /** Routing cost cap from the key's remaining budget (see `budgetCostCapUsd`). */
  maxCostUsd?: number;
  /** Candidates a route policy allows (intersected with the key's models and `allowed_models`). */
  only?: ReadonlySet<string>;
  /** Quality knob a route policy's rule set; wins over the request's. */
  quality?: number;
  /** A budget pacer's adjustment of the willingness-to-pay (see `GatewayBudgetPacing`). */
  adjustWillingnessToPay?: (willingnessToPay: number) => number;
}

/**
 * Picks the targets: a configured target id bypasses routing; `model: "auto"` asks the routing engine
 * (quality knob from the body's `quality`, else the `x-switchyard-quality` header, else
 * `router.defaultQuality`) over the candidates that are left once the request's `allowed_models`, the
 * key's models, the request's needs (context window, tools, JSON mode, vision) and open circuit
 * breakers are applied. When needs exclude everything it is `no_candidates` (422) naming why; when only
 * open breakers do, `upstream_error` (502) with `retry-after` until the next probe.
 */
export async function chooseTarget(context: GatewayContext, request: ChatCompletionRequest, options: ChooseTargetOptions = {}): Promise<TargetChoice> {
  if (request.model !== autoModel) {
    const target = context.targetsById.get(request.model);
    if (target === undefined) {
      throw new SwitchyardError("model_not_found", `The model "${request.model}" does not exist; use "${autoModel}" or one of the targets listed by GET /v1/models`, {
        param: "model",
      });
    }
    return { target, decision: undefined, candidates: [target] };
  }
  const quality = options.quality ?? request.quality ?? qualityOfHeader(options.qualityHeaderValue) ?? context.config.router.defaultQuality;
  const keyModels = options.key?.models ? new Set(options.key.models) : undefined;
  const allowed = request.allowed_models ? new Set(request.allowed_models) : undefined;
  const policyModels = options.only;
  const only = policyModels && keyModels ? new Set([...policyModels].filter((id) => keyModels.has(id))) : (policyModels ?? keyModels);
  // One version per request: a reload between reading the targets and deciding must not mix artifacts.
  const engine = context.engine.pin?.() ?? context.engine;
  const pool = engine.targets
    .filter((target) => (!allowed || allowed.has(target.id)) && (!only || only.has(target.id)))
    .map((target) => (context.targetsById.get(target.id) ?? target) as GatewayTarget);

  const exclude = new Set<string>();
  if (options.needs && pool.length > 0) {
    const { able, unable } = filterTargetsByNeeds(pool, options.needs);
    if (able.length === 0) {
      const reasons = [...unable].map(([id, why]) => `${id}: ${why.join(", ")}`).join("; ");
      throw new SwitchyardError("no_candidates", `No target can serve this request (${reasons})`, { param: "messages" });
    }
    for (const id of unable.keys()) exclude.add(id);
  }
  const able = pool.filter((target) => !exclude.has(target.id)).map((target) => target.id);
  const blocked = context.services.breakers.blocked(able);
  if (able.length > 0 && blocked.size === able.length) {
    const probeAt = context.services.breakers.nextProbeAt(blocked);
    const retryAfterSeconds = probeAt === undefined ? 1 : Math.max(1, Math.ceil((probeAt - context.now()) / 1000));
    throw new SwitchyardError("upstream_error", `Every candidate upstream is cooling down (circuit breakers open: ${[...blocked].join(", ")})`, { retryAfterSeconds });
  }
  for (const id of blocked) exclude.add(id);

  const decision = await engine.decide(
    { messages: request.messages as readonly ChatMessage[], options: { allowedModels: request.allowed_models, quality } },
    {
      exclude,
      ...(only ? { only } : {}),
      ...(options.maxCostUsd !== undefined ? { maxCostUsd: options.maxCostUsd } : {}),
      ...(options.adjustWillingnessToPay ? { adjustWillingnessToPay: options.adjustWillingnessToPay } : {}),
    },
  );
  const target = context.targetsById.get(decision.model);
  if (target === undefined) throw new SwitchyardError("internal_error", `The routing engine chose "${decision.model}", which is not a configured target`);
  const candidates: Target[] = [target];
  for (const candidate of decision.candidates) {
    const next = candidate.model === target.id ? undefined : context.targetsById.get(candidate.model);
    if (next !== undefined) candidates.push(next);
  }
  return { target, decision, candidates };
}

function qualityOfHeader(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const quality = Number(value);
  if (!Number.isFinite(quality) || quality < 0 || quality > 1) {
    throw new SwitchyardError("invalid_request", `Invalid request: the ${qualityHeader} header must be a number in [0, 1], got "${value.slice(0, 32)}"`, {
      param: qualityHeader,
    });
  }
  return quality;
}
