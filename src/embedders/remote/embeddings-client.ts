import { z } from "zod";
import { SwitchyardError } from "../../core/errors.js";
import { retryAfterMsOf, retryDelayMs, type RetryDelayOptions } from "./retry-delay.js";

/** Everything one `/embeddings` call needs. */
export interface EmbeddingsRequestOptions extends RetryDelayOptions {
  /** Full endpoint URL, e.g. `https://api.openai.com/v1/embeddings`. */
  url: string;
  model: string;
  /** Output size for models that can shorten their vectors (OpenAI `text-embedding-3-*`). */
  dimensions: number | undefined;
  apiKey: string | undefined;
  /** Retries after the first attempt. */
  maxRetries: number;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
  sleep: (milliseconds: number) => Promise<void>;
  now: () => number;
  /** One line per retry (never contains the API key). */
  log: (line: string) => void;
}

// Parsed tolerantly: servers differ in the extra fields they send (usage, object, model).
const responseSchema = z.object({
  data: z.array(
    z.object({
      embedding: z.union([z.array(z.number()), z.string()]),
      index: z.number().int().nonnegative().optional(),
    }),
  ),
});

/**
 * Calls an OpenAI-compatible `POST /embeddings` (OpenAI, Ollama, TEI, vLLM) for a batch of texts,
 * asking for `encoding_format: "float"` and also accepting base64 answers. Network errors, timeouts,
 * 408, 409, 429 and 5xx are retried with exponential backoff and jitter, honouring `retry-after` /
 * `retry-after-ms` (capped); other answers fail at once with the server's message.
 */
export async function requestEmbeddings(texts: readonly string[], options: EmbeddingsRequestOptions): Promise<Float32Array[]> {
  const body = JSON.stringify({ model: options.model, input: texts, encoding_format: "float", ...(options.dimensions ? { dimensions: options.dimensions } : {}) });
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  for (let attempt = 0; ; attempt++) {
    let failure: SwitchyardError;
    let retryAfterMs: number | undefined;
    try {
      const response = await options.fetch(options.url, { method: "POST", headers, body, signal: AbortSignal.timeout(options.timeoutMs) });
      const text = await response.text();
      if (response.ok) return parseEmbeddings(text, texts.length, options.url);
      retryAfterMs = retryAfterMsOf(response.headers, options.now());
      failure = httpError(response.status, text, options);
    } catch (error) {
      failure = error instanceof SwitchyardError ? error : transportError(error, options);
    }
    if (!failure.isRetryable || attempt >= options.maxRetries) throw failure;
    const delayMs = retryDelayMs(attempt, retryAfterMs, options);
    options.log(`switchyard: ${failure.message}; retry ${attempt + 1}/${options.maxRetries} in ${(delayMs / 1000).toFixed(1)} s`);
    await options.sleep(delayMs);
  }
}

function parseEmbeddings(text: string, expected: number, url: string): Float32Array[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SwitchyardError("upstream_error", `${url} answered with something that is not JSON`);
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) throw new SwitchyardError("upstream_error", `${url} answered without a data[].embedding list`);
  const items = parsed.data.data;
  if (items.length !== expected) throw new SwitchyardError("upstream_error", `${url} returned ${items.length} embeddings for ${expected} inputs`);
  const vectors = new Array<Float32Array>(expected);
  items.forEach((item, position) => {
    const index = item.index ?? position;
    if (index >= expected || vectors[index]) throw new SwitchyardError("upstream_error", `${url} returned a bad or repeated embedding index ${index}`);
    vectors[index] = typeof item.embedding === "string" ? decodeBase64Floats(item.embedding, url) : Float32Array.from(item.embedding);
  });
  return vectors;
}

/** `encoding_format: "base64"` answers: little-endian float32 bytes. */
function decodeBase64Floats(text: string, url: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  if (bytes.byteLength % 4 !== 0) throw new SwitchyardError("upstream_error", `${url} returned a base64 embedding of ${bytes.byteLength} bytes (not float32)`);
  const vector = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(vector.buffer).set(bytes);
  return vector;
}

function httpError(status: number, text: string, options: EmbeddingsRequestOptions): SwitchyardError {
  let detail = "";
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    const message = typeof error === "string" ? error : (error as { message?: unknown } | undefined)?.message;
    if (typeof message === "string") detail = `: ${message.slice(0, 300)}`;
  } catch {
    detail = text ? `: ${text.slice(0, 200)}` : "";
  }
  const hint = status === 401 || status === 403 ? " (check the API key: options apiKey / apiKeyEnv)" : status === 404 ? ` (check baseUrl and that model ${options.model} exists there)` : "";
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  return new SwitchyardError("upstream_error", `Embeddings request to ${options.url} failed with HTTP ${status}${detail}${hint}`, { isRetryable: retryable });
}

function transportError(error: unknown, options: EmbeddingsRequestOptions): SwitchyardError {
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new SwitchyardError("upstream_timeout", `Embeddings request to ${options.url} timed out after ${options.timeoutMs} ms`, { cause: error });
  }
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
  return new SwitchyardError("upstream_error", `Embeddings endpoint ${options.url} is unreachable${code}`, { cause: error });
}
