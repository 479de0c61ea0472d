import type { Decision } from "../core/decision.js";
import { SwitchyardError } from "../core/errors.js";
import type { ChatMessage } from "../core/query.js";
import type { Target } from "../core/target.js";
import type { ChatCompletionRequest } from "./chat-request.js";
import type { GatewayContext } from "./gateway-context.js";

/** The model name that asks the gateway to route. */
export const autoModel = "auto";

/** Header carrying the quality knob when the body has no `quality`. */
export const qualityHeader = "x-switchyard-quality";

/** The target a request goes to and, when it was routed, the decision. */
export interface TargetChoice {
  target: Target;
  decision: Decision | undefined;
}

/**
 * Picks the target: `model: "auto"` asks the routing engine (quality knob from the body's `quality`,
 * else the `x-switchyard-quality` header, else `router.defaultQuality`); a configured target id bypasses
 * routing; anything else is `model_not_found`.
 */
export async function chooseTarget(context: GatewayContext, request: ChatCompletionRequest, qualityHeaderValue: string | undefined): Promise<TargetChoice> {
  if (request.model !== autoModel) {
    const target = context.targetsById.get(request.model);
    if (target === undefined) {
      throw new SwitchyardError("model_not_found", `The model "${request.model}" does not exist; use "${autoModel}" or one of the targets listed by GET /v1/models`, {
        param: "model",
      });
    }
    return { target, decision: undefined };
  }
  const quality = request.quality ?? qualityOfHeader(qualityHeaderValue) ?? context.config.router.defaultQuality;
  const decision = await context.engine.decide({
    messages: request.messages as readonly ChatMessage[],
    options: { allowedModels: request.allowed_models, quality },
  });
  const target = context.targetsById.get(decision.model);
  if (target === undefined) throw new SwitchyardError("internal_error", `The routing engine chose "${decision.model}", which is not a configured target`);
  return { target, decision };
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
