/** What one replayed completion says. */
export interface ReplayCompletionInput {
  id: string;
  /** Epoch seconds. */
  created: number;
  model: string;
  text: string;
  promptTokens: number;
  completionTokens: number;
}

const maxStreamPieces = 4;

/** An OpenAI `chat.completion` object. */
export function completionBodyOf(input: ReplayCompletionInput): Record<string, unknown> {
  return {
    id: input.id,
    object: "chat.completion",
    created: input.created,
    model: input.model,
    choices: [{ index: 0, message: { role: "assistant", content: input.text, refusal: null }, logprobs: null, finish_reason: "stop" }],
    usage: usageOf(input),
    system_fingerprint: null,
  };
}

/**
 * The SSE events OpenAI sends for the same completion: a role delta, the content in up to four
 * pieces, a finish chunk, the usage-only chunk when `includeUsage` (then every other chunk carries
 * `"usage": null`, as OpenAI's do), and `data: [DONE]`.
 */
export function completionEventsOf(input: ReplayCompletionInput, includeUsage: boolean): string[] {
  const chunk = (choices: unknown[], usage?: unknown): string => {
    const body: Record<string, unknown> = { id: input.id, object: "chat.completion.chunk", created: input.created, model: input.model, system_fingerprint: null, choices };
    if (includeUsage) body.usage = usage ?? null;
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  const choice = (delta: Record<string, unknown>, finishReason: string | null) => ({ index: 0, delta, logprobs: null, finish_reason: finishReason });
  const events = [chunk([choice({ role: "assistant", content: "", refusal: null }, null)])];
  for (const piece of piecesOf(input.text, maxStreamPieces)) events.push(chunk([choice({ content: piece }, null)]));
  events.push(chunk([choice({}, "stop")]));
  if (includeUsage) events.push(chunk([], usageOf(input)));
  events.push("data: [DONE]\n\n");
  return events;
}

function usageOf(input: ReplayCompletionInput): Record<string, number> {
  return { prompt_tokens: input.promptTokens, completion_tokens: input.completionTokens, total_tokens: input.promptTokens + input.completionTokens };
}

/** Splits text into at most `count` pieces of about equal length, never inside a code point. */
function piecesOf(text: string, count: number): string[] {
  const codePoints = Array.from(text);
  const size = Math.max(1, Math.ceil(codePoints.length / count));
  const pieces: string[] = [];
  for (let start = 0; start < codePoints.length; start += size) pieces.push(codePoints.slice(start, start + size).join(""));
  return pieces;
}
