import type { StrategyResult } from "./strategy-trace.js";

/** Options of {@link strategyResponse}. */
export interface StrategyResponseOptions {
  result: StrategyResult;
  stream: boolean;
  /** Send the usage-only chunk (`stream_options.include_usage`). */
  includeUsage?: boolean;
  /** `chatcmpl-…` id. */
  id: string;
  /** Epoch seconds for `created`. */
  created: number;
  /** Extra headers (x-request-id …). */
  headers?: Record<string, string>;
}

/** Headers that summarise a strategy's work: the strategy, the answering model, total cost and call count. */
export function strategyHeaders(result: StrategyResult): Record<string, string> {
  return {
    "x-switchyard-strategy": result.strategy,
    "x-switchyard-model": result.model,
    "x-switchyard-cost-usd": String(result.costUsd),
    "x-switchyard-calls": String(result.trace.length),
  };
}

/**
 * The final answer in OpenAI's wire format: a `chat.completion` (with the trace under `switchyard`, which
 * clients ignore), or — for `stream: true` — the same answer as SSE chunks (role, content, finish, usage
 * when asked, `[DONE]`). Strategies run non-streamed internally, so a stream starts only once the final
 * answer is known; its latency is the strategy's, bounded by its deadlines.
 */
export function strategyResponse(options: StrategyResponseOptions): Response {
  const { result } = options;
  const usage = { ...result.usage, total_tokens: result.usage.prompt_tokens + result.usage.completion_tokens };
  const headers = { ...options.headers, ...strategyHeaders(result) };
  const base = { id: options.id, created: options.created, model: result.model, system_fingerprint: null };
  if (!options.stream) {
    const body = {
      ...base,
      object: "chat.completion",
      choices: [{ index: 0, message: { role: "assistant", content: result.text, refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage,
      switchyard: { strategy: result.strategy, costUsd: result.costUsd, stoppedBecause: result.stoppedBecause, trace: result.trace },
    };
    return new Response(JSON.stringify(body), { status: 200, headers: { ...headers, "content-type": "application/json" } });
  }
  const chunk = (choices: unknown[], chunkUsage?: unknown): string => {
    const body: Record<string, unknown> = { ...base, object: "chat.completion.chunk", choices };
    if (options.includeUsage) body.usage = chunkUsage ?? null;
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  const events = [
    chunk([{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]),
    chunk([{ index: 0, delta: { content: result.text }, logprobs: null, finish_reason: null }]),
    chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]),
  ];
  if (options.includeUsage) events.push(chunk([], usage));
  events.push("data: [DONE]\n\n");
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const event of events) controller.enqueue(encoder.encode(event));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" } });
}
