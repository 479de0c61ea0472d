import { z } from "zod";

/** Parameters of the `linear` router (all optional). */
export const linearParamsSchema = z
  .object({
    /** Count-sketch width of the embedding (the closed-form solve is over this many + 2 features). */
    dimension: z.number().int().min(8).max(4096).default(512),
    /** L2 penalty λ, or "auto" to choose it per candidate by k-fold cross-validation. */
    l2: z.union([z.number().positive().finite(), z.literal("auto")]).default("auto"),
    /** Candidate λ values for "auto". */
    l2Grid: z.array(z.number().positive().finite()).min(1).max(20).default([0.3, 1, 3, 10, 30, 100]),
    /** "auto": logistic for candidates whose training scores are all 0 or 1, ridge otherwise. */
    link: z.enum(["auto", "identity", "logistic"]).default("auto"),
    /** Cross-validation folds (λ choice; the first fold also judges the cost predictor). */
    folds: z.number().int().min(2).max(10).default(3),
    /** Iterations of the logistic fit at most. */
    maxIterations: z.number().int().min(1).max(500).default(20),
    /**
     * Add the standardised prompt features (`promptFeaturesOf`: lengths, numbers, code and maths markers,
     * few-shot blocks, choice lines) to φ.
     */
    promptFeatures: z.boolean().default(false),
    /** "auto": expose the learned cost predictor only if it beats the default on held-out rows. */
    costModel: z.enum(["auto", "learned", "default"]).default("auto"),
  })
  .strict();

/** Parsed parameters of the `linear` router. */
export type LinearParams = z.output<typeof linearParamsSchema>;
