import { z } from "zod";

/** What the guard does with a request it flags: refuse it, or send it to a designated model. */
export const guardActionSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("refuse"), message: z.string().min(1).optional() }).strict(),
  z.object({ action: z.literal("reroute"), model: z.string().min(1) }).strict(),
]);

/** A guard action (`{ action: "refuse" }` or `{ action: "reroute", model }`). */
export type GuardAction = z.infer<typeof guardActionSchema>;

const safetySchema = z
  .object({
    /** `builtin`: the trained WideMLP artifact; `guard-model`: a LlamaGuard-style model behind a target. */
    classifier: z.enum(["builtin", "guard-model"]),
    /** Path of the built-in classifier's JSON artifact (for `builtin`, and for `fallback: builtin`). */
    artifact: z.string().min(1).optional(),
    /** Overrides the artifact's unsafe-probability threshold. */
    threshold: z.number().min(0).max(1).optional(),
    /** Target id of the guard model (for `guard-model`). */
    target: z.string().min(1).optional(),
    /** The guard model's latency budget; after it the fallback decides. */
    latencyBudgetMs: z.number().int().positive().default(300),
    /** Who decides when the guard model is late or unreadable. */
    fallback: z.enum(["builtin", "allow", "refuse"]).default("allow"),
    onUnsafe: guardActionSchema.default({ action: "refuse" }),
  })
  .strict()
  .superRefine((safety, context) => {
    if (safety.classifier === "builtin" && !safety.artifact) context.addIssue({ code: "custom", path: ["artifact"], message: "the builtin safety classifier needs `artifact` (a JSON file written by the guard-unsafe benchmark or trainBuiltinSafetyClassifier)" });
    if (safety.classifier === "guard-model" && !safety.target) context.addIssue({ code: "custom", path: ["target"], message: "the guard-model safety classifier needs `target` (the id of a configured target serving the guard model)" });
    if (safety.fallback === "builtin" && !safety.artifact) context.addIssue({ code: "custom", path: ["artifact"], message: "`fallback: builtin` needs `artifact`" });
  });

const outOfDomainSchema = z
  .object({
    /** Path of the out-of-domain detector's JSON artifact. */
    artifact: z.string().min(1),
    /** Overrides the artifact's default threshold (confidence of the best route below it = out of domain). */
    threshold: z.number().min(0).max(1).optional(),
    onOutOfDomain: guardActionSchema.default({ action: "refuse" }),
    /** Per-route overrides, keyed by the route the query is closest to. */
    routes: z
      .record(
        z.string(),
        z.object({ threshold: z.number().min(0).max(1).optional(), onOutOfDomain: guardActionSchema.optional() }).strict(),
      )
      .default({}),
  })
  .strict();

/**
 * The `guard:` section of the configuration: an unsafe-request stage and an out-of-domain stage, each
 * optional, each with its action (refuse, or reroute to a designated model), the out-of-domain one
 * configurable per route.
 *
 * @example
 * guard:
 *   appliesTo: every-request        # or: routed (model "auto" only)
 *   safety: { classifier: guard-model, target: llama-guard-3-1b, latencyBudgetMs: 250, fallback: builtin, artifact: guard/safety.json, onUnsafe: { action: reroute, model: safe-model } }
 *   outOfDomain: { artifact: guard/domain.json, onOutOfDomain: { action: refuse }, routes: { legal: { onOutOfDomain: { action: reroute, model: big-model } } } }
 */
export const guardConfigSchema = z
  .object({
    /**
     * Which requests the guard checks: `every-request` (default: naming a target or a strategy does not
     * bypass it) or `routed` (only `model: "auto"`, e.g. when named targets are trusted internal callers).
     */
    appliesTo: z.enum(["every-request", "routed"]).default("every-request"),
    safety: safetySchema.optional(),
    outOfDomain: outOfDomainSchema.optional(),
  })
  .strict();

/** Parsed `guard:` configuration. */
export type GuardConfig = z.infer<typeof guardConfigSchema>;
/** `guard:` configuration as written (defaults not yet applied). */
export type GuardConfigInput = z.input<typeof guardConfigSchema>;
