import { z } from "zod";

/** Schema of a scorer: a judge model, self-consistency of two samples, or the router's learned prediction. */
export const scorerConfigSchema = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("judge"),
      /** Target id of the grading model. */
      target: z.string().min(1),
      /** The judge call is abandoned after this long (default 5000). */
      latencyBudgetMs: z.number().int().positive().default(5_000),
      /** Score used on timeout, failure or an unparseable verdict (default 0 = escalate). */
      defaultScore: z.number().min(0).max(1).default(0),
      /** Grading prompt with `{prompt}` and `{answer}` placeholders (default: a 0–10 grade). */
      template: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("self-consistency"),
      /** Temperature of the second sample (> 0). */
      temperature: z.number().gt(0).max(2).default(0.7),
      latencyBudgetMs: z.number().int().positive().default(5_000),
      defaultScore: z.number().min(0).max(1).default(0),
    })
    .strict(),
  z
    .object({
      /** The routing artifact's predicted quality of the answering model (no call, no latency). */
      kind: z.literal("learned"),
    })
    .strict(),
]);

/** Schema of one configured cascade step. */
export const cascadeStepConfigSchema = z
  .object({
    target: z.string().min(1),
    /** Accept the answer when its score is ≥ this (ignored on the last step; default 0.5). */
    threshold: z.number().min(0).max(1).default(0.5),
  })
  .strict();

/** Schema of `strategies.cascade`. */
export const cascadeConfigSchema = z
  .object({
    /** Fixed ladder, cheapest first. Absent: the router chooses one per request (`router` below). */
    ladder: z.array(cascadeStepConfigSchema).min(1).optional(),
    /** Router-chosen ladders: at most `maxSteps` steps, cheap steps need `minPredictedQuality`, all use `threshold`. */
    router: z
      .object({
        maxSteps: z.number().int().min(1).max(8).default(3),
        minPredictedQuality: z.number().min(0).max(1).default(0),
        threshold: z.number().min(0).max(1).default(0.5),
      })
      .strict()
      .prefault({}),
    /** Do not start a step whose predicted cost would take the total above this. */
    costCapUsd: z.number().positive().optional(),
    /** Per answer call (default 30000). */
    stepTimeoutMs: z.number().int().positive().default(30_000),
    /** Whole cascade (default 60000); then the last answer is returned. */
    deadlineMs: z.number().int().positive().default(60_000),
    scorer: scorerConfigSchema,
  })
  .strict();

/** Schema of `strategies.fanOut`. */
export const fanOutConfigSchema = z
  .object({
    /** Fixed models. Absent: the router's top candidates under `costCapUsd`, at most `k`. */
    models: z.array(z.string().min(1)).min(1).optional(),
    k: z.number().int().min(1).max(8).default(3),
    /** Sum of the answer calls' predicted costs (the combining call's predicted cost is reserved first). */
    costCapUsd: z.number().positive().optional(),
    /** Per answer call (default 30000); a late model is left out. */
    callTimeoutMs: z.number().int().positive().default(30_000),
    mode: z.enum(["best", "fuse"]).default("best"),
    /** `best`: the judge that grades each answer. */
    judge: z
      .object({ target: z.string().min(1), latencyBudgetMs: z.number().int().positive().default(5_000), template: z.string().min(1).optional() })
      .strict()
      .optional(),
    /** `fuse`: the model that writes the final answer. */
    aggregator: z.object({ target: z.string().min(1), timeoutMs: z.number().int().positive().default(30_000) }).strict().optional(),
  })
  .strict()
  .superRefine((value, context) => {
    if (value.mode === "best" && value.judge === undefined) context.addIssue({ code: "custom", path: ["judge"], message: 'required when mode is "best"' });
    if (value.mode === "fuse" && value.aggregator === undefined) context.addIssue({ code: "custom", path: ["aggregator"], message: 'required when mode is "fuse"' });
  });

/**
 * Schema of the `strategies` section of `switchyard.yaml`: requests with `model: "cascade"` or
 * `model: "fan-out"` run these strategies (see docs/cascades.md).
 */
export const strategiesConfigSchema = z
  .object({
    cascade: cascadeConfigSchema.optional(),
    fanOut: fanOutConfigSchema.optional(),
  })
  .strict();

/** Validated `strategies` section. */
export type StrategiesConfig = z.infer<typeof strategiesConfigSchema>;
export type CascadeConfig = z.infer<typeof cascadeConfigSchema>;
export type FanOutConfig = z.infer<typeof fanOutConfigSchema>;
export type ScorerConfig = z.infer<typeof scorerConfigSchema>;
