export { createClassifierMatcher } from "./classifier-matcher.js";
export { fitPolicyThresholds, type LabelledUtterance, type RouteThresholdFit } from "./fit-policy-thresholds.js";
export { archRouterPrompt, createLlmJudge, parseJudgeReply, type JudgedRoute, type JudgeFunction, type JudgeOutcome, type LlmJudge, type LlmJudgeOptions } from "./llm-judge.js";
export { createPolicyMatcher, loadPolicyRouter, type PolicyRouterDependencies } from "./load-policy-router.js";
export { modelsOf, policyConfigSchema, policyRouteSchema, type PolicyConfig, type PolicyConfigInput, type PolicyRoute } from "./policy-config.js";
export { createPolicyRouter, type PolicyRouter, type PolicyRouterOptions, type RouteSelection } from "./policy-router.js";
export { conditionSchema, firstMatchingRule, requestContextOf, RULE_FIELDS, ruleSchema, type RequestContext, type Rule, type RuleOutcome, type RuleRequest } from "./request-rules.js";
export type { RouteMatch, RouteMatcher } from "./route-matcher.js";
export { createSimilarityMatcher, type SimilarityMatcherOptions, type SimilarityRoute } from "./similarity-matcher.js";
