import { z } from "zod";

/** The bandit strategies, by registry name. */
export type BanditKind = "linucb" | "thompson" | "eps-greedy";

/**
 * Parameters of the bandit routers (`linucb`, `thompson`, `eps-greedy`; all optional). α, v, warmLambda
 * and the discount were chosen among five settings on routerbench with seed 1000, a split no reported
 * figure uses (`benchmarks/online-learning-tuning.ts`, docs/online-learning.md).
 */
export const banditParamsSchema = z
  .object({
    /** Count-sketch width of the embedding; features p = dimension + 2 (log tokens, bias). */
    dimension: z.number().int().min(4).max(1024).default(128),
    /** Ridge prior precision λ of every arm (A starts as λ I). */
    lambda: z.number().positive().finite().default(1),
    /**
     * λ of a warm-started bandit's arms: the residual over an offline router's prior is small and the
     * prior already saw labelled data, so exploration widths start narrower (width ∝ 1/√λ).
     */
    warmLambda: z.number().positive().finite().default(30),
    /** LinUCB: quality bonus α·√(xᵀA⁻¹x). */
    alpha: z.number().min(0).finite().default(0.1),
    /**
     * Conservative bandit (warm starts only): play the prior's (offline router's) choice unless the policy's
     * candidate's lower confidence bound of utility, wtp·(mean − β·width) − cost, beats the prior choice's
     * upper bound wtp·(mean + β·width) − cost. The number is β (width in noise units, like α); `false` turns
     * it off. Ignored by a cold start (its prior has no opinion to protect). Default 0.25 (chosen on
     * routerbench seed 1000: 0.5 and above never left the prior on stationary traffic but moved too little
     * traffic off a degraded model). Models added online and models whose change the detector saw are not
     * gated, so it does not slow the reaction to drift (BENCHMARKS.md, "Online learning").
     */
    conservative: z.union([z.number().min(0).finite(), z.literal(false)]).default(0.25),
    /** Conservative mode: probability η of playing a candidate the gate refused anyway (bounded exploration). */
    conservativeExploration: z.number().min(0).max(1).default(0),
    /** Thompson sampling: posterior scale v (the mean at x is drawn from N(xᵀθ, v²·xᵀA⁻¹x)). */
    posteriorScale: z.number().min(0).finite().default(0.1),
    /** Monte-Carlo draws used to estimate a Thompson decision's propensity. */
    propensityDraws: z.number().int().min(10).max(10_000).default(200),
    /** ε-greedy: probability of a uniform choice among the offered candidates. */
    epsilon: z.number().min(0).max(1).default(0.05),
    /**
     * Discount γ per observation (A ← γA, b ← γb); 1 turns it off. 0.999: a memory of ~1,000 observations
     * across all targets, so that many targets each keep enough of them; the change detector, not the
     * discount, handles abrupt changes (chosen on seed 1000 among 0.99, 0.995, 0.999 and 1).
     */
    discount: z.number().gt(0).max(1).default(0.999),
    /**
     * Change detection per arm (two-sided CUSUM on its one-step-ahead prediction errors; `false` turns it
     * off): when a target's rewards shift by more than ≈ 2·drift, its level moves by the measured change (a
     * warm start's known models) or its arm forgets what it learned (`restart`), and the conservative gate no
     * longer protects the prior's choice of it. So the discount can be close to 1 (a long memory
     * for stationary stretches) and a degraded or improved model still loses or gains traffic within a few
     * dozen of its own observations (change-detector.ts).
     */
    changeDetection: z
      .union([
        z.literal(false),
        z
          .object({
            /** k, in reward units: half the smallest shift of a target's mean reward worth reacting to. */
            drift: z.number().positive().max(1).default(0.125),
            /** h, in reward units: the cumulated excess error that raises an alarm. */
            threshold: z.number().positive().finite().default(8),
            /** A target's observations (since its arm started) before it is watched. */
            warmup: z.number().int().min(0).default(30),
            /**
             * What an alarm does to the arm. "shift": the arm keeps what it learned and its level moves by the
             * change the detector measured (the mean error over the alarming run) — the prior's opinion of the
             * model is corrected at once instead of relearned prompt by prompt. "forget": the arm starts over
             * from its prior (cold ridge `lambda`) and is explored again. Default (unset): "shift" for the
             * known models of a warm start, whose prior is an offline router's now out-of-date opinion;
             * "forget" for a cold start and for models added online, whose prior is an assumption (optimism)
             * worth exploring from again (chosen on tuning seeds 1000–1005: BENCHMARKS.md, "Change alarms on warm starts").
             */
            restart: z.enum(["shift", "forget"]).optional(),
          })
          .strict(),
      ])
      .prefault({}),
    /** Discount of the learned real/predicted cost ratio, per observation of that model. */
    costDiscount: z.number().gt(0).max(1).default(0.95),
    /** Prior weight (in observations) of the cost ratio 1 (the cost model's prediction). */
    costPriorWeight: z.number().min(0).finite().default(2),
    /** Cold start: prior quality of every model before any reward (no warm-start artifact). */
    priorQuality: z.number().min(0).max(1).default(1),
    /**
     * Prior of a model added online (`addModel`): "optimistic" = the maximum reward 1 (optimistic initial
     * values), held with `newModelPriorWeight` pseudo-observations, so the model is explored until its own
     * rewards pull the estimate down to what it is worth; "best" = the best posterior quality of the known
     * models at this prompt; "mean" = their mean. A model the warm-start router does not know but the
     * bandit was created with gets the warm router's best ("optimistic", "best") or mean prediction.
     */
    newModelPrior: z.enum(["optimistic", "best", "mean"]).default("optimistic"),
    /**
     * Ridge λ of an added model's arm: the weight of its prior in observations. With λ = 1 (a cold arm) one
     * early failure of a 0/1 reward pulls its estimate under the incumbents' and deterministic LinUCB can
     * lock a good but dear model out for hundreds of steps; a few observations' weight prevents that.
     */
    newModelPriorWeight: z.number().positive().finite().default(10),
    /**
     * A model added with anchors (`addModel(model, { anchors })`): pseudo-anchors of weight holding its prior —
     * a read-out of the known models' qualities — at `cluster`'s cluster-difficulty estimate (their mean plus
     * the model's mean offset on the anchors) until the anchors say which incumbents it resembles.
     */
    anchorShrinkage: z.number().min(0).finite().default(5),
    /**
     * Exploration of a model added online: its widths (LinUCB's bonus α·width, Thompson's sampling scale) are
     * multiplied by this. The known models' α and v are small because a warm start's prior already knows
     * them; an added model's estimate is young, and served only where it looks good — too timid a bonus
     * leaves it under-estimated, and under-served, for a long time. Default (unset): 3 for LinUCB and
     * ε-greedy, 10 for Thompson sampling, whose added models also draw optimistically (max(mean, draw)), so
     * the wider draw helps a newcomer that trails without hurting one that leads ({@link newModelExplorationOf};
     * chosen on dcrouter seeds 1000–1003, checked on 1004–1006: docs/online-learning.md, "New and removed targets").
     */
    newModelExploration: z.number().min(0).finite().optional(),
    /**
     * LinUCB with shared target features (hybrid, Li et al. 2010): quality = xᵀθ_a + z_aᵀβ with z_a = [x̄, ℓ_a·x̄],
     * x̄ a small sketch of x and ℓ_a the target's standardised log price, β shared by all targets.
     */
    hybrid: z.boolean().default(false),
    /** Width of x̄ (the shared features' sketch) in the hybrid model. */
    sharedDimension: z.number().int().min(2).max(64).default(8),
    /** Train: feed the dataset's full labels (every model's score on every prompt) to the bandit statistics. */
    fitLabels: z.boolean().default(true),
  })
  .strict();

/** Parsed bandit parameters. */
export type BanditParams = z.output<typeof banditParamsSchema>;

/** The width multiplier of a model added online: `newModelExploration`, or its per-kind default (3; Thompson 10). */
export function newModelExplorationOf(kind: BanditKind, params: Pick<BanditParams, "newModelExploration">): number {
  return params.newModelExploration ?? (kind === "thompson" ? 10 : 3);
}
