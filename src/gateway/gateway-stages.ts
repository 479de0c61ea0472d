import { SwitchyardError } from "../core/errors.js";
import { loadGuardStage } from "../guard/guard-stage-loader.js";
import type { GuardStage } from "../guard/guard-stage.js";
import type { Timer } from "../guard/latency-budget.js";
import type { UpstreamClient } from "../providers/upstream-client.js";
import { loadPolicyRouter } from "../routers/policy/load-policy-router.js";
import { modelsOf } from "../routers/policy/policy-config.js";
import type { PolicyRouter } from "../routers/policy/policy-router.js";
import { createUpstreamChatCaller } from "../strategies/chat-caller.js";
import type { GatewayConfig } from "./config.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/** The optional stages that run before routing `model: "auto"` requests. */
export interface GatewayStages {
  /** Built from `guard:` (safety + out-of-domain). */
  guard?: GuardStage;
  /** Built from `policy:` (declared routes restricting the router's candidates). */
  policy?: PolicyRouter;
}

/** What {@link loadGatewayStages} needs besides the config. */
export interface GatewayStagesDeps {
  /** Reaches the targets a guard model or a policy judge runs on. */
  upstreamClient: UpstreamClient;
  /** Directory relative artifact paths are resolved against (`parseConfig` already made them absolute). */
  baseDirectory?: string;
  /** Schedules the guard model's and the policy judge's latency budgets (default: the real timer; tests inject one). */
  timer?: Timer;
}

/**
 * Builds the guard stage and policy router the config asks for (none when neither section is set, so
 * the hot path pays nothing). Their `complete(targetId, prompt)` is a non-streamed chat call to a
 * configured target through the gateway's upstream client. Call once at start-up (`startGateway` does).
 *
 * @example
 * const stages = await loadGatewayStages(config, { upstreamClient });
 * const app = createGateway(config, { engine, upstreamClient, ...stages });
 */
export async function loadGatewayStages(config: GatewayConfig, deps: GatewayStagesDeps): Promise<GatewayStages> {
  if (config.guard === undefined && config.policy === undefined) return {};
  const targetsById = new Map(config.targets.map((target) => [target.id, target]));
  const caller = createUpstreamChatCaller({ upstreamClient: deps.upstreamClient, upstreams: config.upstreams });
  const complete = async (targetId: string, prompt: string, signal?: CancelSignal): Promise<string> => {
    const target = targetsById.get(targetId);
    if (target === undefined) throw new SwitchyardError("invalid_config", `unknown target "${targetId}" (used by the guard or the policy judge)`);
    const { text } = await caller({ target, body: { messages: [{ role: "user", content: prompt }], temperature: 0 }, ...(signal ? { signal } : {}) });
    return text;
  };
  const checkTarget = (id: string | undefined, path: string) => {
    if (id !== undefined && !targetsById.has(id)) throw new SwitchyardError("invalid_config", `${path}: unknown target "${id}"`);
  };
  checkTarget(config.guard?.safety?.target, "guard.safety.target");
  checkTarget(config.policy?.judge?.target, "policy.judge.target");
  config.policy?.routes.forEach((route, index) => modelsOf(route).forEach((id) => checkTarget(id, `policy.routes.${index}`)));
  if (config.policy) modelsOf(config.policy.default).forEach((id) => checkTarget(id, "policy.default"));
  const rerouteOf = (action: { action: string; model?: string } | undefined, path: string) => checkTarget(action?.action === "reroute" ? action.model : undefined, path);
  rerouteOf(config.guard?.safety?.onUnsafe, "guard.safety.onUnsafe.model");
  rerouteOf(config.guard?.outOfDomain?.onOutOfDomain, "guard.outOfDomain.onOutOfDomain.model");
  const baseDirectory = deps.baseDirectory ?? process.cwd();
  const timing = deps.timer ? { timer: deps.timer } : {};
  const guard = config.guard === undefined ? undefined : await loadGuardStage(config.guard, { baseDirectory, complete, ...timing });
  const policy = config.policy === undefined ? undefined : await loadPolicyRouter(config.policy, { baseDirectory, complete, ...timing });
  return { ...(guard ? { guard } : {}), ...(policy ? { policy } : {}) };
}
