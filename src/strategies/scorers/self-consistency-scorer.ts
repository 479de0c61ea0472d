import type { TimerFunctions } from "../../resilience/timeouts.js";
import type { ChatCaller } from "../chat-caller.js";
import { withDeadline } from "../with-deadline.js";
import { clampUnit, type AnswerScorer, type ScoreResult } from "./answer-scorer.js";

/** Options of {@link createSelfConsistencyScorer}. */
export interface SelfConsistencyScorerOptions {
  caller: ChatCaller;
  /** Temperature of the extra sample (must be > 0 for the samples to differ; default 0.7). */
  temperature?: number;
  /** The extra sample is abandoned after this long and `defaultScore` is used. */
  latencyBudgetMs: number;
  /** Score when the sample times out or fails (default 0: escalate). */
  defaultScore?: number;
  now?: () => number;
  timers?: TimerFunctions;
}

/** Lower-cased, punctuation-free word tokens. */
function wordsOf(text: string): string[] {
  return text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, " ").split(/\s+/).filter((word) => word.length > 0);
}

/**
 * Agreement of two answers in [0, 1]: 1 when they are equal after normalisation (case, punctuation,
 * whitespace), else the Jaccard overlap of their word sets. Two empty answers agree (1).
 */
export function answerAgreement(a: string, b: string): number {
  const wordsA = wordsOf(a);
  const wordsB = wordsOf(b);
  if (wordsA.join(" ") === wordsB.join(" ")) return 1;
  const setA = new Set(wordsA);
  const setB = new Set(wordsB);
  let shared = 0;
  for (const word of setA) if (setB.has(word)) shared += 1;
  const union = setA.size + setB.size - shared;
  return union === 0 ? 1 : clampUnit(shared / union);
}

/**
 * Self-consistency scorer (AutoMix's few-shot self-verification is replaced here by sample agreement, as in
 * Wang et al. 2023's self-consistency and FrugalGPT's cheap signals): asks the SAME model again at
 * temperature > 0 and scores the agreement of the two samples ({@link answerAgreement}). Costs one extra
 * call of the answering model; bounded by `latencyBudgetMs` like the judge.
 */
export function createSelfConsistencyScorer(options: SelfConsistencyScorerOptions): AnswerScorer {
  const now = options.now ?? (() => performance.now());
  const defaultScore = clampUnit(options.defaultScore ?? 0);
  const temperature = options.temperature ?? 0.7;
  return {
    kind: "self-consistency",
    async score(request): Promise<ScoreResult> {
      const started = now();
      const messages = request.body?.messages ?? [{ role: "user", content: request.prompt }];
      const body = { ...request.body, messages, temperature };
      let outcome;
      try {
        outcome = await withDeadline((signal) => options.caller({ target: request.target, body, signal }), {
          budgetMs: options.latencyBudgetMs,
          parent: request.signal,
          timers: options.timers,
        });
      } catch (error) {
        if (request.signal?.aborted) throw error;
        return { score: defaultScore, costUsd: 0, latencyMs: now() - started, note: "second sample failed; default score used" };
      }
      if (outcome.timedOut) {
        return { score: defaultScore, costUsd: 0, latencyMs: now() - started, timedOut: true, note: `second sample exceeded ${options.latencyBudgetMs} ms; default score used` };
      }
      const score = answerAgreement(request.answer, outcome.value.text);
      return { score, costUsd: outcome.value.costUsd, latencyMs: now() - started, note: `agreement of two samples ${score.toFixed(3)}` };
    },
  };
}
