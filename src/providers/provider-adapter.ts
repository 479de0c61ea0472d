/** Wire formats Switchyard speaks to upstreams. */
export type ProviderKind = "openai" | "azure-openai" | "anthropic";

/** What to send upstream for one call. */
export interface ProviderCall {
  /** Path and query appended to the upstream's base URL path, e.g. `/chat/completions`. */
  path: string;
  /** JSON body to send. */
  body: Record<string, unknown>;
}

/** What the response translation needs to know. */
export interface ResponseContext {
  /** Target id the client sees as `model`. */
  model: string;
  upstreamName: string;
  /** Epoch milliseconds, for `created` fields the upstream does not give. */
  now: number;
}

/** Upstream SSE bytes in, OpenAI chat-completion SSE bytes out (same contract as the gateway's tap). */
export interface StreamTranslator {
  push(chunk: Uint8Array): Uint8Array | undefined;
  flush(): Uint8Array | undefined;
  /** True once the upstream's end-of-stream marker was seen (false at the end means the stream was cut). */
  readonly completed: boolean;
}

/**
 * One upstream wire format. The gateway speaks OpenAI's chat-completions format on both sides; an
 * adapter says how that maps onto one provider: the request path and body, the auth headers, and —
 * for formats that differ — the translation of answers and streams back to OpenAI's shape.
 * `openai-compatible.ts` is the base (OpenAI, Ollama, vLLM, LM Studio, Together, Groq, OpenRouter …),
 * Azure overrides its paths and auth header, Anthropic Messages translates both ways.
 */
export interface ProviderAdapter {
  readonly kind: ProviderKind;
  /** Headers sent with every call (API version pins and the like). */
  readonly staticHeaders: Readonly<Record<string, string>>;
  /** Headers that carry the upstream API key. */
  authHeaders(apiKey: string): Record<string, string>;
  /** Path and body for a chat completion; `model` is what the upstream calls the target. */
  chatRequest(body: Readonly<Record<string, unknown>>, model: string): ProviderCall;
  /**
   * The upstream's JSON answer as an OpenAI chat completion; throws
   * `UpstreamFailure("malformed_response")` when it is not one.
   */
  chatResponse(value: unknown, context: ResponseContext): Record<string, unknown>;
  /** Translator for streamed answers; absent when the upstream already streams OpenAI chunks. */
  createStreamTranslator?(context: ResponseContext): StreamTranslator;
  /** Path and body for `/v1/embeddings`; absent when the provider has no embeddings endpoint. */
  embeddingsRequest?(body: Readonly<Record<string, unknown>>, model: string): ProviderCall;
}
