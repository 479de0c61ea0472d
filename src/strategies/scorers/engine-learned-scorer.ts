import { isSwitchyardError } from "../../core/errors.js";
import type { ChatMessage } from "../../core/query.js";
import type { RoutingEngine } from "../../core/routing-engine.js";
import { clampUnit, type AnswerScorer, type ScoreResult } from "./answer-scorer.js";

/** Options of {@link createEngineLearnedScorer}. */
export interface EngineLearnedScorerOptions {
  /** The gateway's routing engine, built from its trained router artifact (`router.artifact`). */
  engine: RoutingEngine;
  /** Score for a target the engine cannot route to (default 0: escalate). */
  unknownTargetScore?: number;
  now?: () => number;
}

/**
 * The `learned` scorer (FrugalGPT's learned scorer, Chen et al. 2023, arXiv:2305.05176) served from the
 * gateway's routing engine: the trained router's predicted quality of the answering model on this
 * prompt, asked as `engine.decide(query, { only: {target} })`. Same prediction as
 * `createLearnedScorer({ router, embedder })` over the same artifact, without loading the router a
 * second time. No call and no cost; it ignores the answer text (an a-priori cascade).
 *
 * @example
 * const scorer = createEngineLearnedScorer({ engine });
 * const { score } = await scorer.score({ prompt, answer, target, body }); // the router's predicted quality
 */
export function createEngineLearnedScorer(options: EngineLearnedScorerOptions): AnswerScorer {
  const now = options.now ?? (() => performance.now());
  const fallback = clampUnit(options.unknownTargetScore ?? 0);
  return {
    kind: "learned",
    async score(request): Promise<ScoreResult> {
      const started = now();
      const bodyMessages = request.body?.messages;
      const messages: readonly ChatMessage[] = Array.isArray(bodyMessages) && bodyMessages.length > 0 ? (bodyMessages as ChatMessage[]) : [{ role: "user", content: request.prompt }];
      try {
        const decision = await options.engine.decide({ messages }, { only: new Set([request.target.id]) });
        const candidate = decision.candidates.find((entry) => entry.model === request.target.id);
        if (candidate === undefined) return { score: fallback, costUsd: 0, latencyMs: now() - started, note: `router does not know "${request.target.id}"` };
        return { score: clampUnit(candidate.predictedQuality), costUsd: 0, latencyMs: now() - started, note: `${decision.router} predicted quality` };
      } catch (error) {
        if (isSwitchyardError(error) && error.code === "no_candidates") {
          return { score: fallback, costUsd: 0, latencyMs: now() - started, note: `router does not know "${request.target.id}"` };
        }
        throw error;
      }
    },
  };
}
