import type { ProviderAdapter, ProviderCall, ProviderKind, ResponseContext } from "./provider-adapter.js";
import { UpstreamFailure } from "./upstream-failure.js";

/** The parts of the OpenAI-compatible adapter a provider may override. */
export interface OpenAICompatibleOverrides {
  kind?: ProviderKind;
  /** Path (with query) for an operation on a model; default `/chat/completions`, `/embeddings`. */
  pathFor?: (operation: "chat/completions" | "embeddings", model: string) => string;
  /** Default `Authorization: Bearer <key>`. */
  authHeaders?: (apiKey: string) => Record<string, string>;
  staticHeaders?: Record<string, string>;
}

/**
 * The body sent upstream: every field the client sent (unknown ones included — new OpenAI parameters
 * work without a gateway release), `model` set to the upstream's name for the target, and for streams
 * `stream_options.include_usage: true`, so streamed requests are costed like the others.
 */
export function openAIChatBody(body: Readonly<Record<string, unknown>>, model: string): Record<string, unknown> {
  const forwarded: Record<string, unknown> = { ...body, model };
  if (body.stream === true) {
    const options = body.stream_options !== null && typeof body.stream_options === "object" ? (body.stream_options as Record<string, unknown>) : {};
    forwarded.stream_options = { ...options, include_usage: true };
  }
  return forwarded;
}

/**
 * Adapter for upstreams that speak OpenAI's API (OpenAI, Ollama's `/v1`, vLLM, LM Studio, Together,
 * Groq, OpenRouter, …): the request passes through with `model` swapped and usage requested for
 * streams; answers and streams are already in OpenAI's shape. Providers that differ only in paths
 * or auth (Azure) pass {@link OpenAICompatibleOverrides}.
 *
 * @example
 * const adapter = createOpenAICompatibleAdapter();
 * const call = adapter.chatRequest(body, "llama3.1:8b"); // { path: "/chat/completions", body }
 */
export function createOpenAICompatibleAdapter(overrides: OpenAICompatibleOverrides = {}): ProviderAdapter {
  const pathFor = overrides.pathFor ?? ((operation) => `/${operation}`);
  return {
    kind: overrides.kind ?? "openai",
    staticHeaders: overrides.staticHeaders ?? {},
    authHeaders: overrides.authHeaders ?? ((apiKey) => ({ authorization: `Bearer ${apiKey}` })),
    chatRequest(body, model): ProviderCall {
      return { path: pathFor("chat/completions", model), body: openAIChatBody(body, model) };
    },
    chatResponse(value: unknown, context: ResponseContext) {
      const completion = value as { choices?: unknown } | null;
      if (completion === null || typeof completion !== "object" || Array.isArray(completion) || !Array.isArray(completion.choices)) {
        throw new UpstreamFailure("malformed_response", context.upstreamName, `Upstream "${context.upstreamName}" answered with JSON that is not a chat completion`);
      }
      return completion as Record<string, unknown>;
    },
    embeddingsRequest(body, model): ProviderCall {
      // Floats always: not every compatible server implements base64; the gateway encodes for the client.
      return { path: pathFor("embeddings", model), body: { ...body, model, encoding_format: "float" } };
    },
  };
}
