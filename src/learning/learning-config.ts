import { z } from "zod";

/** Schema of `learning.judge`: a sampled LLM judge whose grades are rewards. */
export const learningJudgeSchema = z
  .object({
    /** Target id of the judge model (any configured target). */
    target: z.string().min(1),
    /** What a good answer is, for this deployment; inserted into the grading prompt. */
    rubric: z.string().min(1).max(4_000).optional(),
    /** Share of routed answers graded, in [0, 1]. */
    sampleRate: z.number().min(0).max(1),
    /** A judge call is abandoned after this long (default 30000). */
    timeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();

/** Schema of one declared request-level signal. */
export const learningSignalSchema = z.discriminatedUnion("kind", [
  /**
   * When the request asked for `response_format` `json_object` or `json_schema`: reward 1 when the answer
   * parses as JSON (an object, with the schema's top-level `required` keys when a schema is given), else 0.
   */
  z.object({ kind: z.literal("json-schema") }).strict(),
]);

/** Schema of `learning.budget`: a period budget paced instead of refused. */
export const learningBudgetSchema = z
  .object({
    usd: z.number().positive(),
    /** Calendar period (UTC) the budget renews on; a lifetime budget cannot be paced (no end to spread it over). */
    period: z.enum(["day", "week", "month"]).default("day"),
  })
  .strict();

/** Schema of the `learning` section: how an online (bandit) router learns from the traffic it serves. */
export const learningConfigSchema = z
  .object({
    /** Learn from rewards when the router is online (a bandit); ignored for offline routers. */
    enabled: z.boolean().default(true),
    /** Feedback for a request older than this is refused (`feedback_expired`); default 168 (7 days). */
    feedbackExpiryHours: z.number().positive().default(168),
    /** The learned state is snapshotted after this many updates (and at shutdown); the log covers the rest. */
    snapshotEvery: z.number().int().positive().default(200),
    /** Most learning updates one key's feedback may cause per minute (default: no cap beyond one per request). */
    maxFeedbackUpdatesPerKeyPerMinute: z.number().int().positive().optional(),
    judge: learningJudgeSchema.optional(),
    signals: z.array(learningSignalSchema).default([]),
    /** A global period budget for routed traffic, paced by the budget pacer. */
    budget: learningBudgetSchema.optional(),
    /** Pace keys' own budgets (keys create --budget-usd) instead of only capping near the limit. */
    paceKeyBudgets: z.boolean().default(false),
  })
  .strict();

/** The validated `learning` section. */
export type LearningConfig = z.infer<typeof learningConfigSchema>;
