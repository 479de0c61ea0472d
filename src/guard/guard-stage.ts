import { SwitchyardError } from "../core/errors.js";
import { promptTextOf, type ChatMessage, type Query } from "../core/query.js";
import { guardConfigSchema, type GuardAction, type GuardConfig, type GuardConfigInput } from "./guard-config.js";
import type { DomainVerdict, OutOfDomainDetector } from "./out-of-domain-detector.js";
import { monotonicClock, type Clock, type SafetyClassifier, type SafetyVerdict } from "./safety-classifier.js";
import { configErrorOf } from "./config-error.js";

/** The guard's decision for one request. */
export interface GuardVerdict {
  action: "allow" | "refuse" | "reroute";
  /** The designated model, for `reroute`. */
  model?: string;
  /** Which stage flagged the request. */
  stage?: "safety" | "out_of_domain";
  /** One line for logs. */
  reason: string;
  /** The configured refusal message, for `refuse` (else {@link refusalErrorOf} uses a default). */
  refusalMessage?: string;
  /** The route the query is closest to (from the out-of-domain detector). */
  route?: string;
  scores: { unsafe?: number; inDomain?: number };
  /** Wall time of the whole check (both stages run concurrently). */
  decisionMs: number;
  safety?: SafetyVerdict;
  domain?: DomainVerdict;
}

/** The gateway hook: checks a request before routing. */
export interface GuardStage {
  check(query: Query | string): Promise<GuardVerdict>;
}

/** What {@link createGuardStage} is built from. */
export interface GuardStageOptions {
  /** The `guard:` configuration (validated here). */
  config: GuardConfigInput | GuardConfig;
  /** The safety classifier (required when `config.safety` is set). */
  safety?: SafetyClassifier;
  /** The out-of-domain detector (required when `config.outOfDomain` is set). */
  outOfDomain?: OutOfDomainDetector;
  now?: Clock;
}

/**
 * Combines the unsafe-request stage and the out-of-domain stage into one check. Both run concurrently on
 * the last user message; an unsafe verdict takes precedence over an out-of-domain one. Each flagged
 * request gets its configured action: `refuse` (answer with {@link refusalErrorOf}) or `reroute` to a
 * designated model; the out-of-domain action can differ per route (the route the query is closest to).
 *
 * @example
 * const guard = createGuardStage({ config: { safety: { classifier: "builtin", artifact: "safety.json" } }, safety });
 * const verdict = await guard.check(query);
 * if (verdict.action === "refuse") throw refusalErrorOf(verdict);
 * if (verdict.action === "reroute") model = verdict.model;
 */
export function createGuardStage(options: GuardStageOptions): GuardStage {
  const parsed = guardConfigSchema.safeParse(options.config);
  if (!parsed.success) throw configErrorOf("guard", parsed.error);
  const config = parsed.data;
  if (config.safety && !options.safety) throw new SwitchyardError("invalid_config", "guard.safety is configured but no safety classifier was given to createGuardStage");
  if (config.outOfDomain && !options.outOfDomain) throw new SwitchyardError("invalid_config", "guard.outOfDomain is configured but no out-of-domain detector was given to createGuardStage");
  const now = options.now ?? monotonicClock;
  const detector = config.outOfDomain && options.outOfDomain ? applyThresholds(options.outOfDomain, config) : undefined;
  const safety = config.safety ? options.safety : undefined;

  return {
    async check(query) {
      const start = now();
      const text = typeof query === "string" ? query : requestTextOf(query.messages);
      const [safetyVerdict, domainVerdict] = await Promise.all([safety?.classify(text), detector?.classify(text)]);
      const scores = { ...(safetyVerdict ? { unsafe: safetyVerdict.score } : {}), ...(domainVerdict ? { inDomain: domainVerdict.score } : {}) };
      const common = { scores, ...(safetyVerdict ? { safety: safetyVerdict } : {}), ...(domainVerdict ? { domain: domainVerdict, route: domainVerdict.route } : {}) };
      if (safetyVerdict?.unsafe && config.safety) {
        const categories = safetyVerdict.categories?.length ? ` (${safetyVerdict.categories.join(", ")})` : "";
        return { ...common, ...actionFields(config.safety.onUnsafe), stage: "safety", reason: `classified as unsafe by the ${safetyVerdict.source} classifier${categories}, score ${safetyVerdict.score.toFixed(3)}`, decisionMs: now() - start };
      }
      if (domainVerdict && !domainVerdict.inDomain && config.outOfDomain) {
        const action = config.outOfDomain.routes[domainVerdict.route]?.onOutOfDomain ?? config.outOfDomain.onOutOfDomain;
        return { ...common, ...actionFields(action), stage: "out_of_domain", reason: `outside the deployment's domain: closest route ${domainVerdict.route} at confidence ${domainVerdict.score.toFixed(3)} < ${domainVerdict.threshold.toFixed(3)}`, decisionMs: now() - start };
      }
      return { ...common, action: "allow", reason: "passed the guard", decisionMs: now() - start };
    },
  };
}

function applyThresholds(detector: OutOfDomainDetector, config: GuardConfig): OutOfDomainDetector {
  const outOfDomain = config.outOfDomain!;
  const perRoute: Record<string, number> = {};
  for (const [route, settings] of Object.entries(outOfDomain.routes)) {
    if (!detector.routes.includes(route)) throw new SwitchyardError("invalid_config", `guard.outOfDomain.routes.${route}: the detector knows no such route (it has ${detector.routes.join(", ")})`, { param: `guard.outOfDomain.routes.${route}` });
    if (settings.threshold !== undefined) perRoute[route] = settings.threshold;
  }
  return detector.withThresholds({ perRoute, ...(outOfDomain.threshold !== undefined ? { default: outOfDomain.threshold } : {}) });
}

function actionFields(action: GuardAction): Pick<GuardVerdict, "action" | "model" | "refusalMessage"> {
  if (action.action === "reroute") return { action: "reroute", model: action.model };
  return action.message ? { action: "refuse", refusalMessage: action.message } : { action: "refuse" };
}

/** The text the guard judges: the last user message (earlier turns were judged when they were sent), else all text. */
export function requestTextOf(messages: readonly ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.role === "user") return promptTextOf([message]);
  }
  return promptTextOf(messages);
}

/**
 * The OpenAI-shaped error for a refused request (status 400, `param: "messages"`, code
 * `content_policy_violation` or `out_of_domain`); the gateway's error mapper turns it into
 * `{ "error": { "message", "type", "param", "code" } }`.
 */
export function refusalErrorOf(verdict: GuardVerdict, message = verdict.refusalMessage): SwitchyardError {
  if (verdict.stage === "out_of_domain") {
    return new SwitchyardError("out_of_domain", message ?? `This assistant only handles requests within its configured topics${verdict.route ? ` (closest: ${verdict.route})` : ""}; this request is outside them.`, { param: "messages" });
  }
  return new SwitchyardError("content_policy_violation", message ?? "This request was refused by the deployment's safety policy.", { param: "messages" });
}
