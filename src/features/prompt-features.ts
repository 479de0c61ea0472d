import { finalQuestionOf } from "./final-question.js";

/** Names of the entries of {@link promptFeaturesOf}, in order. */
export const PROMPT_FEATURE_NAMES = [
  "log-chars",
  "log-question-chars",
  "question-share",
  "log-blocks",
  "log-digits",
  "digit-share",
  "log-numbers",
  "code-markers",
  "math-markers",
  "log-lines",
  "question-marks",
  "choice-lines",
  "mean-word-length",
] as const;

const CODE = /\b(def|return|import|class|function|print|lambda|for|while|elif)\b|[{};]|==|```/g;
const MATH = /[=+*/^<>]|\\frac|\\sqrt|\$/g;

function count(text: string, pattern: RegExp): number {
  pattern.lastIndex = 0;
  let n = 0;
  while (pattern.exec(text) !== null) n++;
  return n;
}

/**
 * Cheap, embedding-independent descriptors of a prompt that carry difficulty signal within a task:
 * length (of the whole prompt and of its final question, see {@link finalQuestionOf}), how much of it is
 * numbers, code or maths, how many few-shot blocks precede the question, multiple-choice lines. Values
 * are raw (log-scaled counts and shares); callers standardise them.
 */
export function promptFeaturesOf(text: string): Float64Array {
  const question = finalQuestionOf(text);
  const digits = count(question, /\d/g);
  const words = question.split(/\s+/).filter((word) => word.length > 0);
  const wordChars = words.reduce((sum, word) => sum + word.length, 0);
  const features = [
    Math.log1p(text.length),
    Math.log1p(question.length),
    question.length / Math.max(1, text.length),
    Math.log1p(text.split(/\n\s*\n|\\n\\n/).length),
    Math.log1p(digits),
    digits / Math.max(1, question.length),
    Math.log1p(count(question, /\d+(\.\d+)?/g)),
    Math.log1p(count(question, CODE)),
    Math.log1p(count(question, MATH)),
    Math.log1p(question.split("\n").length),
    Math.min(5, count(question, /\?/g)),
    Math.min(8, count(question, /^\s*\(?[A-H][).:]\s/gm)),
    words.length > 0 ? Math.min(20, wordChars / words.length) : 0,
  ];
  return Float64Array.from(features);
}
