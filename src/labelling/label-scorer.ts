import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { SwitchyardError } from "../core/errors.js";
import type { Target } from "../core/target.js";
import type { ChatCaller } from "../strategies/chat-caller.js";
import { parseJudgeVerdict } from "../strategies/scorers/judge-scorer.js";

/** What a label scorer is given: the prompt, one target's answer, and the reference when the input had one. */
export interface LabelScoreInput {
  prompt: string;
  answer: string;
  reference: string | undefined;
}

/** A score in [0, 1], or null when none could be had (recorded as missing, never as a score). */
export interface LabelScore {
  score: number | null;
  /** USD the scoring cost (judge calls; 0 for exact match and modules). */
  costUsd: number;
  /** Why the score is missing, when it is. */
  note?: string;
}

/** Scores answers for `switchyard label`. */
export interface LabelScorer {
  /** Names the scorer in the journal: a journal is only resumed with the scorer that began it. */
  readonly identity: string;
  score(input: LabelScoreInput): Promise<LabelScore>;
}

/** The judge's instructions when no rubric is given: `{prompt}`, `{answer}` and `{reference}` are filled in. */
export const defaultLabelRubric = [
  "You are grading an AI assistant's answer. Decide whether the answer correctly and fully answers the question.",
  "",
  "### Question",
  "{prompt}",
  "{reference}",
  "### Answer",
  "{answer}",
  "",
  "Reply with a single integer grade from 0 (wrong) to 10 (certainly correct) and nothing else.",
].join("\n");

/** Options of {@link createJudgeLabelScorer}. */
export interface JudgeLabelScorerOptions {
  caller: ChatCaller;
  judge: Target;
  /** Grading instructions with `{prompt}`, `{answer}` and optionally `{reference}` (default {@link defaultLabelRubric}). */
  rubric?: string;
}

/**
 * An LLM judge: the rubric filled in with the prompt, the answer and (when there is one) the reference is
 * sent to `judge`; its verdict is read by `parseJudgeVerdict` (`7`, `7/10`, `0.9`, `yes`). A verdict that
 * cannot be parsed is asked for once more; a second failure is a missing score, and both calls' cost
 * counts. A failed judge call throws (the pair is retried on the next run, its answer kept).
 */
export function createJudgeLabelScorer(options: JudgeLabelScorerOptions): LabelScorer {
  const rubric = options.rubric ?? defaultLabelRubric;
  const rubricHash = createHash("sha256").update(rubric).digest("hex").slice(0, 12);
  return {
    identity: `judge:${options.judge.id}:rubric-${rubricHash}`,
    async score({ prompt, answer, reference }) {
      const content = rubric
        .replaceAll("{prompt}", prompt)
        .replaceAll("{answer}", answer)
        .replaceAll("{reference}", reference === undefined ? "" : `\n### Reference answer\n${reference}\n`);
      let costUsd = 0;
      let said = "";
      for (let attempt = 0; attempt < 2; attempt++) {
        const result = await options.caller({ target: options.judge, body: { messages: [{ role: "user", content }], temperature: 0, max_tokens: 16 } });
        costUsd += result.costUsd;
        const verdict = parseJudgeVerdict(result.text);
        if (verdict !== null) return { score: verdict, costUsd };
        said = result.text.slice(0, 40);
      }
      return { score: null, costUsd, note: `unparseable judge verdict twice (last: ${JSON.stringify(said)})` };
    },
  };
}

/**
 * Exact match against the input's `reference`, after trimming, lower-casing, collapsing whitespace and
 * dropping a final full stop: 1 or 0. A prompt without a reference is refused before any call is made
 * (see `labelDataset`).
 */
export function createExactMatchScorer(): LabelScorer {
  return {
    identity: "exact",
    async score({ answer, reference }) {
      if (reference === undefined) return { score: null, costUsd: 0, note: "no reference" };
      return { score: normalise(answer) === normalise(reference) ? 1 : 0, costUsd: 0 };
    },
  };
}

function normalise(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, " ").replace(/\.$/, "");
}

/**
 * A user-supplied scorer: an ES module exporting `score({prompt, answer, reference}) → number |
 * Promise<number>` in [0, 1]. A module without that export is an `invalid_config` error; a call that
 * throws or returns anything else is a missing score with the reason.
 *
 * @example
 * // my-scorer.mjs: export function score({ answer, reference }) { return answer.includes(reference) ? 1 : 0; }
 * const scorer = await loadModuleScorer("my-scorer.mjs");
 */
export async function loadModuleScorer(path: string): Promise<LabelScorer> {
  const absolute = resolve(path);
  let module: { score?: unknown };
  try {
    module = (await import(pathToFileURL(absolute).href)) as { score?: unknown };
  } catch (error) {
    throw new SwitchyardError("invalid_config", `--scorer-module ${path}: cannot import it (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`, { param: "--scorer-module", cause: error });
  }
  const score = module.score;
  if (typeof score !== "function") throw new SwitchyardError("invalid_config", `--scorer-module ${path}: it must export a function score({prompt, answer, reference}) returning a number in [0, 1]`, { param: "--scorer-module" });
  return {
    identity: `module:${absolute}`,
    async score(input) {
      let value: unknown;
      try {
        value = await (score as (input: unknown) => unknown)({ ...input });
      } catch (error) {
        return { score: null, costUsd: 0, note: `scorer module threw: ${error instanceof Error ? error.message : String(error)}` };
      }
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > 1) {
        return { score: null, costUsd: 0, note: `scorer module returned ${JSON.stringify(value)?.slice(0, 40)} (expected a number in [0, 1])` };
      }
      return { score: value, costUsd: 0 };
    },
  };
}
