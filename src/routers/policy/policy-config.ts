import { z } from "zod";
import { ruleSchema } from "./request-rules.js";

/** One declared route: what it covers (description, example utterances) and which model(s) serve it. */
export const policyRouteSchema = z
  .object({
    name: z.string().regex(/^[\w.-]+$/u, "route names use letters, digits, _, . and -").refine((name) => name !== "default", "`default` is reserved for the default route"),
    description: z.string().min(1),
    examples: z.array(z.string().min(1)).default([]),
    model: z.string().min(1).optional(),
    models: z.array(z.string().min(1)).min(1).optional(),
    /** Minimum matcher confidence to take this route (below it: the default). Fitted by `switchyard fit-policy`. */
    threshold: z.number().min(-1).max(1).optional(),
  })
  .strict()
  .refine((route) => (route.model === undefined) !== (route.models === undefined), { message: "give exactly one of `model` or `models`", path: ["model"] });

const defaultRouteSchema = z
  .object({ model: z.string().min(1).optional(), models: z.array(z.string().min(1)).min(1).optional() })
  .strict()
  .refine((route) => (route.model === undefined) !== (route.models === undefined), { message: "give exactly one of `model` or `models`", path: ["model"] });

const matcherSchema = z.discriminatedUnion("kind", [
  z
    .object({
      /** Embedding similarity of the query to each route's description and examples (mean of the top-k). */
      kind: z.literal("similarity"),
      topK: z.number().int().positive().default(5),
      embedder: z.object({ kind: z.string().min(1).default("hashed-tfidf"), options: z.record(z.string(), z.unknown()).optional() }).strict().default({ kind: "hashed-tfidf" }),
      /** Threshold of routes that set none. */
      threshold: z.number().min(-1).max(1).default(0),
    })
    .strict(),
  z
    .object({
      /** A trained route classifier (an out-of-domain detector artifact whose routes are the policy's). */
      kind: z.literal("classifier"),
      artifact: z.string().min(1),
      threshold: z.number().min(0).max(1).default(0),
    })
    .strict(),
]);

/**
 * A route policy: declared routes with descriptions and examples, a default, how queries are matched to
 * routes, an optional LLM judge (Arch-Router's design) with a latency budget, and rules on request
 * metadata evaluated first.
 *
 * @example
 * routes:
 *   - { name: code, description: "writing, fixing or explaining code", examples: ["fix this TypeError"], models: [small-coder, big-coder] }
 *   - { name: legal, description: "questions about law, contracts and regulation", model: big-model }
 * default: { model: small-model }
 * matcher: { kind: similarity, topK: 5 }
 * judge: { target: arch-router-1.5b, latencyBudgetMs: 150 }
 * rules:
 *   - when: { metadata.tier: { in: [free] }, promptTokens: { gt: 2000 } }
 *     then: { route: default }
 */
export const policyConfigSchema = z
  .object({
    routes: z.array(policyRouteSchema).min(1),
    default: defaultRouteSchema,
    matcher: matcherSchema.default({ kind: "similarity", topK: 5, embedder: { kind: "hashed-tfidf" }, threshold: 0 }),
    judge: z.object({ target: z.string().min(1), latencyBudgetMs: z.number().int().positive().default(200) }).strict().optional(),
    rules: z.array(ruleSchema).default([]),
  })
  .strict()
  .superRefine((policy, context) => {
    const names = new Set<string>();
    policy.routes.forEach((route, index) => {
      if (names.has(route.name)) context.addIssue({ code: "custom", path: ["routes", index, "name"], message: `route ${route.name} is declared twice` });
      names.add(route.name);
    });
    policy.rules.forEach((rule, index) => {
      const route = rule.then.route;
      if (route !== undefined && route !== "default" && !names.has(route)) context.addIssue({ code: "custom", path: ["rules", index, "then", "route"], message: `no route named ${route} (routes: ${[...names].join(", ")}, default)` });
    });
  });

/** A validated policy. */
export type PolicyConfig = z.infer<typeof policyConfigSchema>;
/** A policy as written. */
export type PolicyConfigInput = z.input<typeof policyConfigSchema>;
/** One validated route. */
export type PolicyRoute = z.infer<typeof policyRouteSchema>;

/** The models of a route or of the default. */
export function modelsOf(route: { model?: string; models?: string[] }): string[] {
  return route.models ?? (route.model !== undefined ? [route.model] : []);
}
