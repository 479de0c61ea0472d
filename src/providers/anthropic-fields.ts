type Json = Record<string, unknown>;

/** Maps Anthropic's `stop_reason` to OpenAI's `finish_reason`. */
export function finishReasonOf(stopReason: unknown): string | null {
  switch (stopReason) {
    case "max_tokens":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    case null:
    case undefined:
      return null;
    default:
      return "stop";
  }
}

/** OpenAI usage from Anthropic usage (cache reads and writes are prompt tokens too). */
export function usageOf(usage: unknown): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const value = (usage ?? {}) as Json;
  const number = (key: string) => (typeof value[key] === "number" ? (value[key] as number) : 0);
  const prompt = number("input_tokens") + number("cache_creation_input_tokens") + number("cache_read_input_tokens");
  const completion = number("output_tokens");
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
