import { z } from "zod";
import { estimateTokens } from "../../core/tokens.js";
import type { ChatMessage } from "../../core/query.js";
import { promptTextOf } from "../../core/query.js";

const scalarSchema = z.union([z.string(), z.number(), z.boolean()]);
type Scalar = z.infer<typeof scalarSchema>;

const operatorsSchema = z
  .object({
    eq: scalarSchema.optional(),
    ne: scalarSchema.optional(),
    in: z.array(scalarSchema).min(1).optional(),
    notIn: z.array(scalarSchema).min(1).optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    /** A regular expression the (string) value must match. */
    matches: z
      .string()
      .refine((pattern) => {
        try {
          new RegExp(pattern, "u");
          return true;
        } catch {
          return false;
        }
      }, "not a valid regular expression")
      .optional(),
    contains: scalarSchema.optional(),
    exists: z.boolean().optional(),
  })
  .strict()
  .refine((operators) => Object.keys(operators).length > 0, "a condition needs at least one operator (eq, ne, in, notIn, gt, gte, lt, lte, matches, contains, exists)");

/** A condition on one field: a literal (equality, or membership for list fields) or an operator object. */
export const conditionSchema = z.union([scalarSchema, operatorsSchema]);

/** Fields a rule can test. `metadata.KEY` reads the request's metadata (OpenAI's `metadata`, or the gateway's header). */
export const RULE_FIELDS = ["promptTokens", "hasTools", "messageCount", "model", "user", "tags"] as const;
const FIELD_PATTERN = /^(?:promptTokens|hasTools|messageCount|model|user|tags|metadata\.[\w.-]+)$/u;

const whenSchema = z.record(z.string(), conditionSchema).superRefine((when, context) => {
  for (const key of Object.keys(when)) {
    if (!FIELD_PATTERN.test(key)) context.addIssue({ code: "custom", path: [key], message: `unknown field "${key}"; rules can test ${RULE_FIELDS.join(", ")} or metadata.<key>` });
  }
  if (Object.keys(when).length === 0) context.addIssue({ code: "custom", path: [], message: "`when` needs at least one field" });
});

const thenSchema = z
  .object({
    /** Send the request to this route (a route name or `default`), skipping the matcher and the judge. */
    route: z.string().min(1).optional(),
    /** Restrict the candidate models to these (replaces the route's models). */
    models: z.array(z.string().min(1)).min(1).optional(),
    /** Set the quality knob in [0, 1] for the inner router. */
    quality: z.number().min(0).max(1).optional(),
  })
  .strict()
  .refine((then) => then.route !== undefined || then.models !== undefined || then.quality !== undefined, "`then` needs route, models or quality");

/**
 * One rule of the rule language (Portkey's conditional routing, reduced to what a router needs): every
 * field condition in `when` must hold, then `then` applies. Rules are evaluated in order before the
 * policy; the first that matches wins.
 *
 * @example
 * - name: free-tier-long-prompts
 *   when: { metadata.tier: { in: [free] }, promptTokens: { gt: 2000 }, hasTools: true }
 *   then: { route: default, quality: 0.2 }
 */
export const ruleSchema = z.object({ name: z.string().min(1).optional(), when: whenSchema, then: thenSchema }).strict();

/** A validated rule. */
export type Rule = z.infer<typeof ruleSchema>;
/** A rule's outcome. */
export type RuleOutcome = Rule["then"];

/** What rules can test about a request. */
export interface RequestContext {
  promptTokens: number;
  hasTools: boolean;
  messageCount: number;
  model?: string;
  user?: string;
  tags: readonly string[];
  metadata: Readonly<Record<string, unknown>>;
}

/** The fields of a chat request rules look at. */
export interface RuleRequest {
  messages: readonly ChatMessage[];
  tools?: readonly unknown[];
  model?: string;
  user?: string;
  metadata?: Record<string, unknown>;
  tags?: readonly string[];
}

/** Builds the {@link RequestContext} of a chat request (prompt tokens estimated as `estimateTokens`). */
export function requestContextOf(request: RuleRequest): RequestContext {
  return {
    promptTokens: estimateTokens(promptTextOf(request.messages)),
    hasTools: (request.tools?.length ?? 0) > 0,
    messageCount: request.messages.length,
    ...(request.model !== undefined ? { model: request.model } : {}),
    ...(request.user !== undefined ? { user: request.user } : {}),
    tags: request.tags ?? [],
    metadata: request.metadata ?? {},
  };
}

/** The first rule whose `when` holds for `context`, or undefined. */
export function firstMatchingRule(rules: readonly Rule[], context: RequestContext): Rule | undefined {
  return rules.find((rule) => Object.entries(rule.when).every(([field, condition]) => holds(valueOf(context, field), condition)));
}

function valueOf(context: RequestContext, field: string): unknown {
  if (field.startsWith("metadata.")) return context.metadata[field.slice("metadata.".length)];
  return (context as unknown as Record<string, unknown>)[field];
}

/** A missing field satisfies only `exists: false`. */
function holds(value: unknown, condition: z.infer<typeof conditionSchema>): boolean {
  if (typeof condition !== "object") return equalsOrHas(value, condition);
  if (value === undefined || value === null) return condition.exists === false && Object.keys(condition).length === 1;
  const number = typeof value === "number" ? value : undefined;
  return (
    (condition.exists === undefined || condition.exists) &&
    (condition.eq === undefined || equalsOrHas(value, condition.eq)) &&
    (condition.ne === undefined || !equalsOrHas(value, condition.ne)) &&
    (condition.in === undefined || condition.in.some((item) => equalsOrHas(value, item))) &&
    (condition.notIn === undefined || !condition.notIn.some((item) => equalsOrHas(value, item))) &&
    (condition.gt === undefined || (number !== undefined && number > condition.gt)) &&
    (condition.gte === undefined || (number !== undefined && number >= condition.gte)) &&
    (condition.lt === undefined || (number !== undefined && number < condition.lt)) &&
    (condition.lte === undefined || (number !== undefined && number <= condition.lte)) &&
    (condition.matches === undefined || (typeof value === "string" && new RegExp(condition.matches, "u").test(value))) &&
    (condition.contains === undefined || (Array.isArray(value) ? value.includes(condition.contains) : typeof value === "string" && value.includes(String(condition.contains))))
  );
}

/** Equality for scalars; membership for list values (tags). Metadata strings compare with numbers by text ("2" = 2). */
function equalsOrHas(value: unknown, expected: Scalar): boolean {
  if (Array.isArray(value)) return value.some((item) => equalsOrHas(item, expected));
  if (value === expected) return true;
  const mixed = typeof value !== typeof expected && (typeof value === "string" || typeof expected === "string");
  return mixed && (typeof value === "number" || typeof value === "boolean" || typeof value === "string") && String(value) === String(expected);
}
