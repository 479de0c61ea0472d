import type { Target } from "../../core/target.js";
import type { TimerFunctions } from "../../resilience/timeouts.js";
import type { ChatCaller } from "../chat-caller.js";
import { withDeadline } from "../with-deadline.js";
import { clampUnit, type AnswerScorer, type ScoreResult } from "./answer-scorer.js";

/** Options of {@link createJudgeScorer}. */
export interface JudgeScorerOptions {
  caller: ChatCaller;
  /** The model that grades (any target). */
  judge: Target;
  /** The judge call is abandoned after this long and `defaultScore` is used. */
  latencyBudgetMs: number;
  /** Score used when the judge times out, fails or says something unparseable (default 0: escalate). */
  defaultScore?: number;
  /** Grading instructions; `{prompt}` and `{answer}` are replaced. */
  template?: string;
  now?: () => number;
  timers?: TimerFunctions;
}

/** The default grading prompt: a 0–10 grade on the last line. */
export const defaultJudgeTemplate = [
  "You are grading an AI assistant's answer. Decide whether the answer correctly and fully answers the question.",
  "",
  "### Question",
  "{prompt}",
  "",
  "### Answer",
  "{answer}",
  "",
  "Reply with a single integer grade from 0 (wrong) to 10 (certainly correct) and nothing else.",
].join("\n");

/**
 * Parses a judge's verdict into [0, 1]: the first number (`7`, `7/10`, `Grade: 8.5`, `0.9`) — read as
 * out of 10 unless it is written as `x/y` or is ≤ 1 with a decimal point — else a leading `yes`/`no`
 * (`correct`/`incorrect`). Returns null when nothing is recognised.
 */
export function parseJudgeVerdict(text: string): number | null {
  const fraction = /(-?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)/.exec(text);
  if (fraction) {
    const denominator = Number(fraction[2]);
    return denominator > 0 ? clampUnit(Number(fraction[1]) / denominator) : null;
  }
  const number = /-?\d+(?:\.\d+)?/.exec(text);
  if (number) {
    const value = Number(number[0]);
    return clampUnit(value <= 1 && number[0].includes(".") ? value : value / 10);
  }
  const word = /\b(yes|no|correct|incorrect|true|false)\b/i.exec(text)?.[1]?.toLowerCase();
  if (word === undefined) return null;
  return word === "yes" || word === "correct" || word === "true" ? 1 : 0;
}

/**
 * LLM-as-a-judge scorer (FrugalGPT's answer scorer, Chen et al. 2023, here a prompted model instead of a
 * fine-tuned DistilBERT): asks `judge` to grade the answer, parses the grade with {@link parseJudgeVerdict}.
 * Latency is bounded: after `latencyBudgetMs` the judge call is aborted and `defaultScore` is returned
 * with `timedOut: true`; a failed call or unparseable verdict also yields `defaultScore` (with a note).
 *
 * @example
 * const scorer = createJudgeScorer({ caller, judge: targets.get("gpt-4")!, latencyBudgetMs: 2000 });
 * const { score } = await scorer.score({ prompt, answer, target });
 */
export function createJudgeScorer(options: JudgeScorerOptions): AnswerScorer {
  const now = options.now ?? (() => performance.now());
  const defaultScore = clampUnit(options.defaultScore ?? 0);
  const template = options.template ?? defaultJudgeTemplate;
  return {
    kind: "judge",
    async score(request): Promise<ScoreResult> {
      const started = now();
      const content = template.replaceAll("{prompt}", request.prompt).replaceAll("{answer}", request.answer);
      const body = { messages: [{ role: "user", content }], temperature: 0, max_tokens: 16 };
      let outcome;
      try {
        outcome = await withDeadline((signal) => options.caller({ target: options.judge, body, signal }), {
          budgetMs: options.latencyBudgetMs,
          parent: request.signal,
          timers: options.timers,
        });
      } catch (error) {
        if (request.signal?.aborted) throw error;
        return { score: defaultScore, costUsd: 0, latencyMs: now() - started, note: `judge failed (${messageOf(error)}); default score used` };
      }
      if (outcome.timedOut) {
        return { score: defaultScore, costUsd: 0, latencyMs: now() - started, timedOut: true, note: `judge exceeded ${options.latencyBudgetMs} ms; default score used` };
      }
      const parsed = parseJudgeVerdict(outcome.value.text);
      const latencyMs = now() - started;
      if (parsed === null) {
        return { score: defaultScore, costUsd: outcome.value.costUsd, latencyMs, note: `unparseable verdict ${JSON.stringify(outcome.value.text.slice(0, 40))}; default score used` };
      }
      return { score: parsed, costUsd: outcome.value.costUsd, latencyMs, note: `judge said ${JSON.stringify(outcome.value.text.slice(0, 40))}` };
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
