import type { Target } from "../core/target.js";
import type { ChatCaller } from "../strategies/chat-caller.js";
import { parseJudgeVerdict } from "../strategies/scorers/judge-scorer.js";
import { withDeadline } from "../strategies/with-deadline.js";

/** What the judge said about one answer: a grade in [0, 1], or null (failed, or unparsable twice). */
export interface JudgeVerdict {
  score: number | null;
  /** USD of every judge call made for this answer (retries included). */
  costUsd: number;
  /** One outcome per call: `ok`, `unparsable` or `failed`. */
  calls: string[];
}

/** Options of {@link createJudgeReward}. */
export interface JudgeRewardOptions {
  caller: ChatCaller;
  judge: Target;
  rubric?: string;
  timeoutMs: number;
}

/** The grading prompt; `{rubric}`, `{prompt}` and `{answer}` are replaced. */
export const learningJudgeTemplate = [
  "You are grading an AI assistant's answer for a production deployment.",
  "{rubric}",
  "",
  "### Question",
  "{prompt}",
  "",
  "### Answer",
  "{answer}",
  "",
  "Reply with a single integer grade from 0 (useless or wrong) to 10 (fully correct and helpful) and nothing else.",
].join("\n");

const defaultRubric = "A good answer correctly and fully answers the question.";

/**
 * A sampled LLM judge as a reward source: asks the judge target to grade an answer (0–10, parsed with the
 * cascades' {@link parseJudgeVerdict}), asks once more when the verdict is unparsable, and gives up with a
 * null score after that or when a call fails or times out. It never throws: the gateway calls it after the
 * user's answer was delivered, and a judge problem must not surface anywhere but in metrics and logs.
 */
export function createJudgeReward(options: JudgeRewardOptions): (prompt: string, answer: string) => Promise<JudgeVerdict> {
  const rubric = options.rubric ?? defaultRubric;
  return async (prompt, answer) => {
    const content = learningJudgeTemplate.replace("{rubric}", rubric).replace("{prompt}", prompt).replace("{answer}", answer);
    const body = { messages: [{ role: "user", content }], temperature: 0, max_tokens: 16 };
    const calls: string[] = [];
    let costUsd = 0;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const outcome = await withDeadline((signal) => options.caller({ target: options.judge, body, signal }), { budgetMs: options.timeoutMs });
        if (outcome.timedOut) {
          calls.push("failed");
          return { score: null, costUsd, calls };
        }
        costUsd += outcome.value.costUsd;
        const score = parseJudgeVerdict(outcome.value.text);
        if (score !== null) {
          calls.push("ok");
          return { score, costUsd, calls };
        }
        calls.push("unparsable");
      } catch {
        calls.push("failed");
        return { score: null, costUsd, calls };
      }
    }
    return { score: null, costUsd, calls };
  };
}
