import { SwitchyardError } from "../../core/errors.js";
import type { Query } from "../../core/query.js";
import { configErrorOf } from "../../guard/config-error.js";
import { requestTextOf } from "../../guard/guard-stage.js";
import type { Timer } from "../../guard/latency-budget.js";
import { monotonicClock, type Clock } from "../../guard/safety-classifier.js";
import { createLlmJudge, type JudgeFunction, type LlmJudge } from "./llm-judge.js";
import { modelsOf, policyConfigSchema, type PolicyConfig, type PolicyConfigInput } from "./policy-config.js";
import { firstMatchingRule, requestContextOf, type RequestContext } from "./request-rules.js";
import type { RouteMatcher } from "./route-matcher.js";

/** Which route a request takes, and what that means for the inner router. */
export interface RouteSelection {
  /** The chosen route, or `null` for the default. */
  route: string | null;
  /** Candidate models for the inner (cost–quality) router: the route's, or a rule's. */
  models: readonly string[];
  /** Quality knob a rule set, if any. */
  quality?: number;
  /** What decided: a rule, the LLM judge, the matcher, or nothing matched well enough (default). */
  source: "rule" | "judge" | "matcher" | "default";
  /** The matching rule's name (or `rules[i]`). */
  rule?: string;
  /** The matcher's best route and scores (absent when a rule decided). */
  matched?: { route: string; score: number; threshold: number; scores: Record<string, number> };
  /** What became of the judge, when one is configured and was asked. */
  judge?: "ok" | "timeout" | "unparseable" | "error";
  decisionMs: number;
}

/** The route selector of a policy (step one of two-step routing). */
export interface PolicyRouter {
  readonly policy: PolicyConfig;
  readonly matcher: RouteMatcher;
  /** Picks a route for `query`; `context` (metadata, tools…) defaults to what the messages tell. */
  selectRoute(query: Query, context?: RequestContext): Promise<RouteSelection>;
}

/** What {@link createPolicyRouter} is built from. */
export interface PolicyRouterOptions {
  policy: PolicyConfigInput | PolicyConfig;
  matcher: RouteMatcher;
  /** Calls the judge target (required when `policy.judge` is set). */
  judge?: JudgeFunction;
  timer?: Timer;
  now?: Clock;
}

/**
 * The `policy` router: rules first (Portkey's conditional routing on metadata, tools, prompt length),
 * then the matcher (embedding similarity or a trained classifier, with per-route thresholds) and,
 * concurrently, an optional LLM judge reading the route descriptions (Arch-Router) whose answer is
 * used only if it arrives within its latency budget.
 *
 * It is a route selector, not a `Router`: it returns the route's models, and the engine restricts its
 * candidates to them (`engine.decide(query, { only: new Set(selection.models) })`), so the inner learned
 * router picks among that category's models by cost and quality — two-step routing as in Composition of
 * Experts (Jain et al., 2024). A hard restriction is used rather than predicting quality 0 for models
 * outside the route, because the objective `w × quality − cost` can still prefer a free model at quality 0.
 *
 * @example
 * const policy = createPolicyRouter({ policy: config, matcher });
 * const selection = await policy.selectRoute(query, requestContextOf(body));
 * const decision = await engine.decide(query, { only: new Set(selection.models) });
 */
export function createPolicyRouter(options: PolicyRouterOptions): PolicyRouter {
  const parsed = policyConfigSchema.safeParse(options.policy);
  if (!parsed.success) throw configErrorOf("policy", parsed.error);
  const policy = parsed.data;
  const { matcher } = options;
  const routeByName = new Map(policy.routes.map((route) => [route.name, route]));
  for (const name of matcher.routes) if (!routeByName.has(name)) throw new SwitchyardError("invalid_config", `policy matcher knows route ${name}, which the policy does not declare`, { param: "policy.routes" });
  for (const name of routeByName.keys()) if (!matcher.routes.includes(name)) throw new SwitchyardError("invalid_config", `policy route ${name} is unknown to the matcher (it knows ${matcher.routes.join(", ")})`, { param: "policy.routes" });
  if (policy.judge && !options.judge) throw new SwitchyardError("invalid_config", "policy.judge is configured but no judge function was given to createPolicyRouter");
  const judge: LlmJudge | undefined = policy.judge && options.judge ? createLlmJudge({ judge: options.judge, latencyBudgetMs: policy.judge.latencyBudgetMs, timer: options.timer }) : undefined;
  const judgedRoutes = policy.routes.map((route) => ({ name: route.name, description: route.description }));
  const defaultModels = modelsOf(policy.default);
  const modelsOfRoute = (route: string | null) => (route === null ? defaultModels : modelsOf(routeByName.get(route)!));
  const thresholdOf = (route: string) => routeByName.get(route)?.threshold ?? policy.matcher.threshold;
  const now = options.now ?? monotonicClock;

  return {
    policy,
    matcher,
    async selectRoute(query, context) {
      const start = now();
      const rule = firstMatchingRule(policy.rules, context ?? requestContextOf({ messages: query.messages }));
      const ruleName = rule ? (rule.name ?? `rules[${policy.rules.indexOf(rule)}]`) : undefined;
      const overrides = { ...(rule?.then.quality !== undefined ? { quality: rule.then.quality } : {}), ...(ruleName ? { rule: ruleName } : {}) };
      if (rule?.then.route !== undefined) {
        const route = rule.then.route === "default" ? null : rule.then.route;
        return { route, models: rule.then.models ?? modelsOfRoute(route), source: "rule", ...overrides, decisionMs: now() - start };
      }
      const text = requestTextOf(query.messages);
      const judging = judge?.pick(text, judgedRoutes);
      const match = await matcher.match(text);
      const threshold = thresholdOf(match.route);
      const matched = { route: match.route, score: match.score, threshold, scores: match.scores };
      let route: string | null = match.score >= threshold ? match.route : null;
      let source: RouteSelection["source"] = route === null ? "default" : "matcher";
      let judgeStatus: RouteSelection["judge"];
      if (judging) {
        const outcome = await judging;
        judgeStatus = outcome.status;
        if (outcome.status === "ok") {
          route = outcome.route;
          source = "judge";
        }
      }
      return { route, models: rule?.then.models ?? modelsOfRoute(route), source, ...overrides, matched, ...(judgeStatus ? { judge: judgeStatus } : {}), decisionMs: now() - start };
    },
  };
}
