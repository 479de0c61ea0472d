import { z } from "zod";

/** One member of the ensemble: a registered router kind, its parameters, and the view it reads. */
export const memberSpecSchema = z
  .object({
    router: z.string().min(1),
    params: z.record(z.string(), z.unknown()).optional(),
    view: z.enum(["prompt", "question"]).default("prompt"),
  })
  .strict();

/** A member specification. */
export type MemberSpec = z.input<typeof memberSpecSchema>;

/** Members used when none are given (those whose router kind is not registered are skipped). */
export const defaultMembers: readonly MemberSpec[] = [
  { router: "knn", view: "prompt" },
  { router: "task-knn", view: "prompt" },
  { router: "knn", view: "question" },
];

/** Parameters of the `ensemble` router (all optional). */
export const ensembleParamsSchema = z
  .object({
    members: z.array(memberSpecSchema).min(1).max(8).optional(),
    /** Folds of the out-of-fold predictions the meta-model is fitted and chosen on. */
    folds: z.number().int().min(2).max(10).default(4),
    /** Meta-models to consider; the best by cross-validated routing AIQ on the training split wins. */
    meta: z.array(z.enum(["member", "average", "ridge-own", "ridge-cross"])).min(1).default(["member", "average", "ridge-own", "ridge-cross"]),
    /** Ridge penalties tried for the ridge meta-models. */
    penalties: z.array(z.number().positive().finite()).min(1).max(10).default([1, 10, 100]),
    /** A more complex meta-model must beat the simplest near-best one by more than this (CV score units). */
    minGain: z.number().min(0).max(1).default(0.002),
    /**
     * Cross-validation runs on a seeded sample of at most this many training prompts (the final members
     * are still trained on all of them); keeps training near-linear in the training size.
     */
    cvRows: z.number().int().min(100).default(10_000),
    /**
     * With a CV sample (more than `cvRows` prompts): re-tune the kNN / task-knn members' hyper-parameters
     * on the whole split before the final fit (false, the default: reuse those tuned on the sample, as the
     * fold models do; saves a leave-one-out search over all prompts per member).
     */
    retuneOnAll: z.boolean().default(false),
  })
  .strict();

/** Parsed parameters of the `ensemble` router. */
export type EnsembleParams = z.output<typeof ensembleParamsSchema>;
