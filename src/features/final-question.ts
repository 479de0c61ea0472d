/**
 * The part of a prompt that is the actual question: few-shot prompts (RouterBench's are Python-list
 * literals of worked examples followed by the real question) repeat the same examples across thousands
 * of prompts, so similarity over the whole text is dominated by the shared prefix. This keeps the last
 * block (after the last blank line) and, when that block is only a short tail such as "Answer:", the
 * block before it too. Prompts without few-shot structure come back unchanged (trimmed).
 *
 * @example
 * finalQuestionOf("Q: 1+1?\nA: 2\n\nQ: 2+3?\nA:") // "Q: 2+3?\nA:"
 */
export function finalQuestionOf(text: string): string {
  let body = text.trim();
  // Unwrap a Python list literal: ['...'] or ["..."] (RouterBench).
  if (body.length >= 4 && body.startsWith("[") && body.endsWith("]") && (body[1] === "'" || body[1] === '"')) body = body.slice(2, -2);
  body = body.replace(/\\n/g, "\n").replace(/\\'/g, "'");
  const blocks = body.split(/\n\s*\n/).map((block) => block.trim()).filter((block) => block.length > 0);
  if (blocks.length <= 1) return body;
  let question = blocks[blocks.length - 1]!;
  for (let i = blocks.length - 2; i >= 0 && question.length < MIN_QUESTION_CHARS; i--) question = `${blocks[i]!}\n\n${question}`;
  return question;
}

/** A final block shorter than this is joined with the block before it. */
const MIN_QUESTION_CHARS = 40;
