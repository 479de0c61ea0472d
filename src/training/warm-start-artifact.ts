import type { RouterArtifact } from "../artifacts/router-artifact.js";
import { SwitchyardError } from "../core/errors.js";
import { CostModel } from "../core/cost-model.js";
import { estimateTokens } from "../core/tokens.js";
import type { RoutingExample } from "../data/routing-example.js";
import { embedderFromState } from "../embedders/create-embedder.js";
import { isSparseEmbedder } from "../embedders/sparse-vector.js";
import { createBanditRouter, DEFAULT_TOKEN_SCALE, fitBanditOnLabels, type BanditKind } from "../routers/bandit/index.js";
import { routerTrainerFor } from "../routers/create-router-trainer.js";
import { fitLogTokenScale } from "../math/log-token-feature.js";

/** The bandit strategies a warm start can build. */
export const BANDIT_KINDS: readonly BanditKind[] = ["linucb", "thompson", "eps-greedy"];

/** Options of {@link warmStartArtifact}. */
export interface WarmStartArtifactOptions {
  /** The offline artifact whose router becomes the prior (its embedder, cost model and calibration are reused). */
  artifact: RouterArtifact;
  /** Where it came from (named in errors and provenance). */
  source: string;
  router: string;
  params?: Record<string, unknown>;
  seed?: number;
  /** The embedder kind the caller asked for, if any: a different one in the artifact is an error. */
  requestedEmbedder?: string;
  /** Optional labelled prompts the artifact did NOT train on: their full labels refine the residual model. */
  examples?: readonly RoutingExample[];
  dataset?: string;
  now?: () => Date;
}

/**
 * A bandit artifact warm-started from an offline one (PILOT's prior): the bandit's arms model the residual
 * reward − q_offline(x) with a zero-mean prior, so the artifact routes exactly like the offline router
 * until feedback arrives, then improves on it. The embedder, cost model and knob calibration are the
 * offline artifact's (the calibration is the prior's: it is what the bandit's means are at step 0).
 *
 * @example
 * const warm = await warmStartArtifact({ artifact: await loadRouterArtifact("knn.json"), source: "knn.json", router: "linucb" });
 */
export async function warmStartArtifact(options: WarmStartArtifactOptions): Promise<RouterArtifact> {
  const kind = options.router as BanditKind;
  if (!BANDIT_KINDS.includes(kind)) {
    throw new SwitchyardError("invalid_config", `--warm-start needs a bandit router (${BANDIT_KINDS.join(", ")}), got ${JSON.stringify(options.router)}`, { param: "--warm-start" });
  }
  const { artifact } = options;
  if (options.requestedEmbedder !== undefined && options.requestedEmbedder !== artifact.embedder.kind) {
    throw new SwitchyardError("invalid_config", `--warm-start ${options.source} was trained with the ${artifact.embedder.kind} embedder, not the requested ${options.requestedEmbedder}: drop --embedder or warm-start from an artifact of that embedder`, { param: "--warm-start" });
  }
  if (BANDIT_KINDS.includes(artifact.router.kind as BanditKind)) {
    throw new SwitchyardError("invalid_config", `--warm-start ${options.source} is already a ${artifact.router.kind} bandit artifact; serve it as it is, or warm-start from an offline router`, { param: "--warm-start" });
  }
  const started = performance.now();
  const seed = options.seed ?? 42;
  const embedder = await embedderFromState(artifact.embedder);
  const costModel = CostModel.fromState(artifact.costModel);
  const examples = options.examples ?? [];
  const prompts = examples.map((example) => example.prompt);
  const promptTokens = prompts.map(estimateTokens);
  const router = createBanditRouter({
    kind,
    params: options.params,
    models: artifact.models,
    inputDimension: embedder.dimension,
    tokenScale: examples.length > 0 ? fitLogTokenScale(promptTokens) : DEFAULT_TOKEN_SCALE,
    seed,
    priorRouter: artifact.router,
    resolve: routerTrainerFor,
    costModel,
  });
  if (examples.length > 0 && router.params.fitLabels) {
    const embeddings = await embedder.embed(prompts);
    const sparseEmbeddings = isSparseEmbedder(embedder) ? embedder.embedSparse(prompts) : undefined;
    fitBanditOnLabels(router, { examples, embeddings, sparseEmbeddings, promptTokens, models: artifact.models });
  }
  return {
    ...artifact,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    router: router.toState(),
    training: {
      dataset: options.dataset ?? artifact.training.dataset,
      split: artifact.training.split,
      examples: examples.length,
      seed,
      trainMs: Math.round(performance.now() - started),
      params: options.params ?? {},
      warmStart: { source: options.source, router: artifact.router.kind, createdAt: artifact.createdAt, examples: artifact.training.examples },
    },
  };
}
