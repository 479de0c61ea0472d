import type { RouterArtifact } from "../../artifacts/router-artifact.js";
import { estimateTokens } from "../../core/tokens.js";
import { embedderFromState } from "../../embedders/create-embedder.js";
import type { Embedder } from "../../embedders/embedder.js";
import { densify, isSparseEmbedder } from "../../embedders/sparse-vector.js";
import { routerTrainerFor } from "../../routers/create-router-trainer.js";
import type { Router, RouteInput } from "../../routers/router.js";
import { clampUnit, type AnswerScorer, type ScoreResult } from "./answer-scorer.js";

/** Options of {@link createLearnedScorer}. */
export interface LearnedScorerOptions {
  /** A trained router (e.g. knn from a router artifact). */
  router: Router;
  /** The embedder the router was trained with. */
  embedder: Embedder;
  /** Score for a target the router does not know (default 0: escalate). */
  unknownTargetScore?: number;
  now?: () => number;
}

/**
 * Learned scorer: the router's predicted quality of the answering model on this prompt, learned from the
 * routing data (FrugalGPT's learned scorer, Chen et al. 2023, with the router's quality head as the
 * predictor). It ignores the answer text, so it costs nothing and needs no call; it amounts to an
 * a-priori cascade that still escalates on hard prompts.
 */
export function createLearnedScorer(options: LearnedScorerOptions): AnswerScorer {
  const now = options.now ?? (() => performance.now());
  const sparse = isSparseEmbedder(options.embedder) ? options.embedder : undefined;
  return {
    kind: "learned",
    async score(request): Promise<ScoreResult> {
      const started = now();
      const position = options.router.models.indexOf(request.target.id);
      if (position < 0) {
        return { score: clampUnit(options.unknownTargetScore ?? 0), costUsd: 0, latencyMs: now() - started, note: `router does not know "${request.target.id}"` };
      }
      const text = request.prompt;
      const sparseEmbedding = sparse?.embedSparse([text])[0];
      const embedding = sparseEmbedding ? densify(sparseEmbedding, options.embedder.dimension) : (await options.embedder.embed([text]))[0]!;
      const input: RouteInput = { text, embedding, sparseEmbedding, promptTokens: estimateTokens(text) };
      const score = clampUnit(options.router.predictQuality(input)[position] ?? 0);
      return { score, costUsd: 0, latencyMs: now() - started, note: `${options.router.kind} predicted quality` };
    },
  };
}

/** The trained router and embedder of a router artifact, as {@link createLearnedScorer} needs them. */
export async function learnedScorerPartsOf(artifact: RouterArtifact): Promise<{ router: Router; embedder: Embedder }> {
  const embedder = await embedderFromState(artifact.embedder);
  const router = routerTrainerFor(artifact.router.kind).fromState(artifact.router);
  return { router, embedder };
}
