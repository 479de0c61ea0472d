import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { createEnsembleRouterTrainer, defaultMembers, EnsembleRouter, type MemberSpec, type TrainerResolver } from "../ensemble/index.js";
import { parseRouterParams } from "../parse-router-params.js";
import type { RouterState } from "../router.js";
import type { RouterTrainer, TrainingSet } from "../router-trainer.js";
import { AutoRouter } from "./auto-router.js";

/**
 * Strategies `auto` adds to the ensemble's default members when they are registered (prompt view).
 * `matrix-factorization` is left out by default: each fold retrains it, which multiplies its
 * (gradient-descent) training time by folds + 1; pass it in `members` to include it.
 */
export const extraAutoCandidates: readonly string[] = ["cluster"];

/**
 * Also candidates when the prompt vectors are dense and at most {@link maxDenseDimensionForFitted}-d
 * (`word-vectors`, `sentence-encoder`, `onnx`, most `remote` models): there `linear` and `mlp` train in
 * seconds per fold, and on the sentence encoder's vectors they are among the best routers
 * (docs/routing-quality.md, third round). On 4,096-d hashed TF-IDF they are slow and were the weakest
 * members, so they stay out there.
 */
export const denseAutoCandidates: readonly string[] = ["linear", "mlp"];
export const maxDenseDimensionForFitted = 1024;

/** `auto`'s default candidate members for this training set. */
export function defaultAutoMembers(data: TrainingSet): MemberSpec[] {
  const dimension = data.embeddings[0]?.length ?? 0;
  const dense = data.sparseEmbeddings === undefined && dimension > 0 && dimension <= maxDenseDimensionForFitted;
  return [...defaultMembers, ...[...extraAutoCandidates, ...(dense ? denseAutoCandidates : [])].map((router): MemberSpec => ({ router, view: "prompt" }))];
}

const paramsSchema = z
  .object({
    /** Candidate members; default: {@link defaultAutoMembers}. */
    members: z.array(z.unknown()).min(1).max(8).optional(),
    folds: z.number().int().min(2).max(10).default(4),
    /** Also consider stacked combinations of the members (false: only each member alone). */
    combine: z.boolean().default(true),
    /** Cross-validate on a seeded sample of at most this many training prompts (the ensemble's `cvRows`; default 10,000). */
    cvRows: z.number().int().min(100).optional(),
    /** The ensemble's `retuneOnAll` (above `cvRows`: re-tune kNN members on all prompts; default false). */
    retuneOnAll: z.boolean().optional(),
  })
  .strict();

const stateSchema = z.object({ kind: z.literal("auto"), chosen: z.object({ kind: z.string() }).passthrough(), cv: z.unknown().optional() });

/**
 * Creates the `auto` trainer: it picks the routing strategy for this training split by K-fold
 * cross-validated routing AIQ (RouterBench's AIQ, Hu et al. 2024) on the training split only. The
 * candidates are each member router alone and every stacked combination the `ensemble` considers; they
 * are all scored on the same out-of-fold predictions, so the choice costs one ensemble training. The
 * winner is a plain router when one prompt-view member alone wins, else the stacked ensemble; the
 * state records it and every candidate's score. Above `cvRows` (10,000) training prompts the cross-validation runs on a
 * seeded sample of that size (see the ensemble), so choosing stays affordable at 100,000 prompts.
 */
export function createAutoRouterTrainer(resolve: TrainerResolver): RouterTrainer {
  const ensemble = createEnsembleRouterTrainer(resolve);
  // The ensemble each auto router was chosen from (see trainLike).
  const ensembleOf = new WeakMap<AutoRouter, EnsembleRouter>();
  return {
    kind: "auto",
    description: "picks the best strategy (single routers or a stacked ensemble) by K-fold cross-validated routing AIQ on the training split (RouterBench AIQ; Wolpert 1992 stacking)",
    servable: true,
    train(data, options) {
      const params = parseRouterParams("auto", paramsSchema, options.params);
      const known = (kind: string): boolean => {
        try {
          resolve(kind);
          return true;
        } catch {
          return false;
        }
      };
      const members = (params.members as MemberSpec[] | undefined) ?? defaultAutoMembers(data).filter((spec) => known(spec.router));
      const trained = ensemble.train(data, { seed: options.seed, params: { members, folds: params.folds, ...(params.cvRows !== undefined ? { cvRows: params.cvRows } : {}), ...(params.retuneOnAll !== undefined ? { retuneOnAll: params.retuneOnAll } : {}), ...(params.combine ? {} : { meta: ["member"] }) } });
      if (!(trained instanceof EnsembleRouter)) throw new SwitchyardError("internal_error", "auto: the ensemble trainer returned another router");
      const state = trained.toState() as RouterState & { cv?: unknown };
      const chosen = trained.soleMember() ?? trained;
      const auto = new AutoRouter(chosen, state.cv);
      ensembleOf.set(auto, trained);
      return auto;
    },
    /**
     * Above `cvRows` training prompts: the same winner (a plain router or the stacked ensemble, with its
     * members' tuned hyper-parameters) refitted on `data` without choosing again (the ensemble's
     * `trainLike`); undefined otherwise, and for routers this trainer did not train in this process.
     */
    trainLike(reference, data, options) {
      const trained = reference instanceof AutoRouter ? ensembleOf.get(reference) : undefined;
      const refitted = trained ? ensemble.trainLike?.(trained, data, options) : undefined;
      if (!(refitted instanceof EnsembleRouter)) return undefined;
      return new AutoRouter(refitted.soleMember() ?? refitted, (reference as AutoRouter).cv);
    },
    fromState(state) {
      const parsed = stateSchema.safeParse(state);
      if (!parsed.success) throw new SwitchyardError("invalid_artifact", `auto router state is invalid at ${parsed.error.issues[0]?.path.join(".") || "(root)"}`);
      if (parsed.data.chosen.kind === "auto") throw new SwitchyardError("invalid_artifact", "auto router state: the chosen router cannot itself be auto");
      return new AutoRouter(resolve(parsed.data.chosen.kind).fromState(parsed.data.chosen as RouterState), parsed.data.cv);
    },
  };
}
