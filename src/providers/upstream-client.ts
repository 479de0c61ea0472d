import { Pool } from "undici";
import { createDoneMarkerWatch } from "./done-marker-watch.js";
import type { Dispatcher } from "undici";
import { SwitchyardError } from "../core/errors.js";
import type { ErrorCode } from "../core/errors.js";
import type { Target } from "../core/target.js";
import { apiKeyOf } from "../gateway/config.js";
import type { UpstreamConfig } from "../gateway/config.js";
import { headerReaderOf, retryAfterMsOf } from "../resilience/retry-after.js";
import { createDeadline } from "../resilience/timeouts.js";
import type { TimerFunctions } from "../resilience/timeouts.js";
import { createAnthropicMessagesAdapter } from "./anthropic-messages.js";
import { createAzureOpenAIAdapter } from "./azure-openai.js";
import { createOpenAICompatibleAdapter } from "./openai-compatible.js";
import type { ProviderAdapter, ProviderCall, StreamTranslator } from "./provider-adapter.js";
import { UpstreamFailure } from "./upstream-failure.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/** One call to an upstream. */
export interface UpstreamCallRequest {
  /** The target being called (its `upstreamModel ?? id` is already in `body.model`). */
  target: Target;
  upstream: UpstreamConfig;
  /** The OpenAI chat-completion body to send, ready to serialise. */
  body: Readonly<Record<string, unknown>>;
  /** Aborts the call (the client went away). */
  signal?: CancelSignal;
  /** Sent upstream as `x-request-id` so logs on both sides line up. */
  requestId?: string;
}

/** One chat-completion call to an upstream. */
export type UpstreamChatRequest = UpstreamCallRequest;

/** A successful upstream answer: parsed JSON, or the raw bytes of an SSE stream. */
export type UpstreamBody =
  | { kind: "json"; /** The body as received. */ text: string; /** The body parsed. */ value: unknown }
  | { kind: "stream"; /** The response bytes as they arrive; breaking out of the loop closes the upstream response. */ chunks: AsyncIterable<Uint8Array> };

/** A 2xx upstream response. Non-2xx answers are thrown as {@link UpstreamHttpError}. */
export interface UpstreamResponse {
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: UpstreamBody;
}

/**
 * Calls OpenAI-compatible upstreams. Failures are thrown as `SwitchyardError`s whose `isRetryable`
 * is decided here: `upstream_timeout` (504), `upstream_error` (502: unreachable, 5xx, bad credentials,
 * unparseable answer) or {@link UpstreamHttpError} for an upstream's own 4xx.
 * Retries, fallbacks and breakers wrap this interface; other wire formats implement it.
 */
export interface UpstreamClient {
  chatCompletion(request: UpstreamChatRequest): Promise<UpstreamResponse>;
  /** `POST /embeddings` (JSON only); absent in clients that only chat (test fakes). */
  embeddings?(request: UpstreamCallRequest): Promise<UpstreamResponse>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

/** What the upstream said in its OpenAI-shaped error body, passed through to the client for 4xx answers. */
export interface UpstreamErrorDetail {
  message: string;
  type: string | null;
  param: string | null;
  code: string | null;
}

/**
 * An upstream answered with an HTTP error, wrapped so the client sees that the upstream (not the
 * gateway) refused: code `upstream_rejected` with the upstream's own status for a 4xx that says the
 * request is wrong (400, 413, 422, 429, …), its message quoted after `Upstream "name" rejected the
 * request (status)`, its `param`, and its status and code kept as `upstream_status` / `upstream_code`
 * in the error body. A 404 (the upstream does not know the model or path: a target misconfigured at
 * the gateway, not a missing gateway route) and 401/403 (the gateway's credentials) are 502
 * `upstream_error`s; 5xx are 502 `upstream_error`s too.
 */
export class UpstreamHttpError extends SwitchyardError {
  override readonly status: number;
  readonly upstreamName: string;
  readonly upstreamStatus: number;
  /** What the upstream said in its error body (its message is not repeated to the client for 401/403). */
  readonly detail: UpstreamErrorDetail | undefined;

  constructor(options: { upstreamName: string; upstreamStatus: number; detail: UpstreamErrorDetail | undefined; retryAfterSeconds?: number }) {
    const { upstreamName, upstreamStatus, detail } = options;
    const credentials = upstreamStatus === 401 || upstreamStatus === 403;
    const passThrough = upstreamStatus >= 400 && upstreamStatus < 500 && !credentials && upstreamStatus !== 404;
    const code: ErrorCode = passThrough ? "upstream_rejected" : "upstream_error";
    const said = detail?.message === undefined ? "" : `: ${detail.message}`;
    const message = passThrough
      ? `Upstream "${upstreamName}" rejected the request (${upstreamStatus})${said}`
      : credentials
        ? `Upstream "${upstreamName}" refused the gateway's credentials (${upstreamStatus}); check the upstream's apiKey / apiKeyEnv`
        : upstreamStatus === 404
          ? `Upstream "${upstreamName}" answered 404 (the model or path is unknown there; check the target's upstreamModel and the upstream's baseUrl)${said}`
          : `Upstream "${upstreamName}" failed (${upstreamStatus})`;
    const transient = upstreamStatus === 408 || upstreamStatus === 409 || upstreamStatus === 429 || upstreamStatus >= 500;
    super(code, message, { param: passThrough ? (detail?.param ?? null) : null, isRetryable: transient, retryAfterSeconds: options.retryAfterSeconds });
    this.name = "UpstreamHttpError";
    this.status = passThrough ? upstreamStatus : 502;
    this.upstreamName = upstreamName;
    this.upstreamStatus = upstreamStatus;
    this.detail = credentials ? undefined : detail;
  }
}

/** Options for {@link createUpstreamClient}. */
export interface UpstreamClientOptions {
  upstreams: readonly UpstreamConfig[];
  /** Where `apiKeyEnv` variables are read (default `process.env`), once, at creation. */
  env?: NodeJS.ProcessEnv;
  /** Extra undici Pool options (connection limits, keep-alive), applied to every upstream. */
  poolOptions?: Pool.Options;
  /** Clock for `created` fields of translated answers and `retry-after` dates (default `Date.now`). */
  now?: () => number;
  /** Timers for the total-call deadline (default real, unref'd timers). */
  timers?: TimerFunctions;
}

const errorBodyLimitBytes = 64 * 1024;
/** Default of `upstreams[].maxResponseBytes` (32 MiB). */
export const defaultMaxResponseBytes = 33_554_432;
/** Thrown by {@link readCapped} past its limit (mapped to `response_too_large` by the caller). */
const responseTooLarge = new Error("response too large");
/** The 502 `response_too_large` of an upstream answer over `maxBytes` (module level: built only when needed). */
function responseTooLargeFailure(upstreamName: string, maxBytes: number): UpstreamFailure {
  return new UpstreamFailure("response_too_large", upstreamName, `Upstream "${upstreamName}" answered with more than ${maxBytes} bytes (upstreams[].maxResponseBytes); the answer was discarded`);
}
/** Defaults of the per-upstream timeouts that `timeoutMs` (first byte and idle body) does not cover. */
export const defaultConnectTimeoutMs = 5_000;
export const defaultTotalTimeoutMs = 300_000;

interface UpstreamRoute {
  upstream: UpstreamConfig;
  pool: Pool;
  basePath: string;
  headers: Record<string, string>;
  adapter: ProviderAdapter;
}

/** The wire-format adapter an upstream's `kind` names. */
export function providerAdapterOf(upstream: UpstreamConfig): ProviderAdapter {
  switch (upstream.kind ?? "openai") {
    case "azure-openai":
      return createAzureOpenAIAdapter({ apiVersion: upstream.apiVersion });
    case "anthropic":
      return createAnthropicMessagesAdapter({ defaultMaxTokens: upstream.defaultMaxTokens });
    default:
      return createOpenAICompatibleAdapter();
  }
}

/**
 * An {@link UpstreamClient} over undici: one keep-alive `Pool` per upstream origin (and connect
 * timeout), request headers and paths computed once per upstream, the upstream's wire format handled
 * by its {@link ProviderAdapter} (OpenAI-compatible, Azure OpenAI, Anthropic Messages) so callers always
 * see OpenAI's shapes. Reads API keys at creation, so a missing `apiKeyEnv` variable fails at start-up
 * naming both the variable and the `apiKey` alternative.
 *
 * Timeouts per upstream: `connectTimeoutMs` (TCP/TLS), `timeoutMs` (until the response headers, and
 * between body chunks), `totalTimeoutMs` (the whole call, stream included). A streamed call resolves
 * only once the first body chunk arrived, so a caller can still fall back before any byte reached
 * its client; a stream that ends without its end marker (`[DONE]`, `message_stop`) fails as
 * `stream_cut` instead of ending quietly.
 *
 * @example
 * const client = createUpstreamClient({ upstreams: config.upstreams });
 * const response = await client.chatCompletion({ target, upstream, body: { model: "gpt-4o", messages } });
 */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const now = options.now ?? Date.now;
  const pools = new Map<string, Pool>();
  const routes = new Map<string, UpstreamRoute>();
  options.upstreams.forEach((upstream, index) => {
    const url = new URL(upstream.baseUrl);
    const connectTimeoutMs = upstream.connectTimeoutMs ?? defaultConnectTimeoutMs;
    const poolKey = `${url.origin} ${connectTimeoutMs}`;
    let pool = pools.get(poolKey);
    if (pool === undefined) {
      pool = new Pool(url.origin, { keepAliveTimeout: 30_000, connect: { timeout: connectTimeoutMs }, ...options.poolOptions });
      pools.set(poolKey, pool);
    }
    const adapter = providerAdapterOf(upstream);
    const apiKey = apiKeyOf(upstream, index, options.env);
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream", ...adapter.staticHeaders };
    if (apiKey !== undefined) Object.assign(headers, adapter.authHeaders(apiKey));
    routes.set(upstream.name, { upstream, pool, basePath: url.pathname.replace(/\/+$/, ""), headers, adapter });
  });
  const routeOf = (upstream: UpstreamConfig): UpstreamRoute => {
    const route = routes.get(upstream.name);
    if (route === undefined) throw new SwitchyardError("internal_error", `No upstream client for "${upstream.name}"`);
    return route;
  };

  /** Sends one call; resolves with the 2xx response once its headers (and for streams, the first chunk) arrived. */
  async function send(route: UpstreamRoute, call: ProviderCall, request: UpstreamCallRequest, stream: boolean): Promise<UpstreamResponse> {
    const { upstream } = route;
    const deadline = createDeadline({ parent: request.signal, timers: options.timers });
    deadline.arm("total", upstream.totalTimeoutMs ?? defaultTotalTimeoutMs);
    const headers = request.requestId === undefined ? route.headers : { ...route.headers, "x-request-id": request.requestId };
    let response: Dispatcher.ResponseData;
    try {
      response = await route.pool.request({
        path: `${route.basePath}${call.path}`,
        method: "POST",
        headers,
        body: JSON.stringify(call.body),
        signal: deadline.signal,
        headersTimeout: upstream.timeoutMs,
        bodyTimeout: upstream.timeoutMs,
      });
    } catch (error) {
      deadline.clear();
      throw transportError(error, upstream.name, { expired: deadline.expired, cancelled: request.signal?.aborted === true, phase: "headers" });
    }
    const { statusCode, headers: responseHeaders } = response;
    try {
      if (statusCode < 200 || statusCode >= 300) {
        const text = await readLimited(response.body, errorBodyLimitBytes).catch(() => "");
        const retryAfterMs = retryAfterMsOf(headerReaderOf(responseHeaders), now);
        throw new UpstreamHttpError({
          upstreamName: upstream.name,
          upstreamStatus: statusCode,
          detail: errorDetailOf(text),
          retryAfterSeconds: retryAfterMs === undefined ? undefined : retryAfterMs / 1000,
        });
      }
      const maxResponseBytes = upstream.maxResponseBytes ?? defaultMaxResponseBytes;
      const declared = Number(headerValue(responseHeaders["content-length"]));
      if (Number.isFinite(declared) && declared > maxResponseBytes) throw responseTooLargeFailure(upstream.name, maxResponseBytes);
      const contentType = headerValue(responseHeaders["content-type"]) ?? "";
      if (stream && contentType.includes("text/event-stream")) {
        const context = { model: request.target.id, upstreamName: upstream.name, now: now() };
        const chunks = await streamFromFirstChunk(response.body, route.adapter.createStreamTranslator?.(context), {
          onError: (error, started) => transportError(error, upstream.name, { expired: deadline.expired, cancelled: request.signal?.aborted === true, phase: started ? "stream" : "body" }),
          cut: () => new UpstreamFailure("stream_cut", upstream.name, `Upstream "${upstream.name}" ended the stream before its end marker`),
          done: () => deadline.clear(),
          maxBytes: maxResponseBytes,
          tooLarge() {
            response.body.destroy();
            return responseTooLargeFailure(upstream.name, maxResponseBytes);
          },
        });
        const translatedHeaders = route.adapter.createStreamTranslator ? { ...responseHeaders, "content-type": "text/event-stream; charset=utf-8" } : responseHeaders;
        return { status: statusCode, headers: translatedHeaders, body: { kind: "stream", chunks } };
      }
      let text: string;
      try {
        text = await readCapped(response.body, maxResponseBytes);
      } catch (error) {
        if (error === responseTooLarge) throw responseTooLargeFailure(upstream.name, maxResponseBytes);
        throw transportError(error, upstream.name, { expired: deadline.expired, cancelled: request.signal?.aborted === true, phase: "body" });
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new UpstreamFailure("malformed_response", upstream.name, `Upstream "${upstream.name}" answered with invalid JSON`, { cause: error });
      }
      return { status: statusCode, headers: responseHeaders, body: { kind: "json", text, value } };
    } catch (error) {
      deadline.clear();
      response.body.destroy();
      throw error;
    } finally {
      if (!stream) deadline.clear();
    }
  }

  return {
    async chatCompletion(request) {
      const route = routeOf(request.upstream);
      const model = typeof request.body.model === "string" ? request.body.model : (request.target.upstreamModel ?? request.target.id);
      const stream = request.body.stream === true;
      const response = await send(route, route.adapter.chatRequest(request.body, model), request, stream);
      if (response.body.kind !== "json") return response;
      const context = { model: request.target.id, upstreamName: request.upstream.name, now: now() };
      const value = route.adapter.chatResponse(response.body.value, context);
      // Same object back: an OpenAI-compatible answer, whose bytes stay untouched.
      if (value === response.body.value) return response;
      return { ...response, body: { kind: "json", text: JSON.stringify(value), value } };
    },
    async embeddings(request) {
      const route = routeOf(request.upstream);
      const model = request.target.upstreamModel ?? request.target.id;
      if (route.adapter.embeddingsRequest === undefined) {
        throw new SwitchyardError("invalid_request", `The target "${request.target.id}" is served by a ${route.adapter.kind} upstream, which has no embeddings endpoint`, { param: "model" });
      }
      return send(route, route.adapter.embeddingsRequest(request.body, model), request, false);
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}

/** Context of a transport failure, for naming it precisely. */
export interface TransportFailureContext {
  /** The deadline timer that expired (`total`), if any. */
  expired?: string;
  /** The caller cancelled (the client went away). */
  cancelled?: boolean;
  /** Before the response headers, while reading a JSON body or a stream's first chunk, or mid-stream. */
  phase?: "headers" | "body" | "stream";
}

/**
 * Maps undici's transport failures to {@link UpstreamFailure}s: timeouts (`upstream_timeout`, 504) by
 * which limit expired, connection refused or reset, cancellation (not retryable) — `upstream_error` (502).
 */
export function transportError(error: unknown, upstreamName: string, context: TransportFailureContext = {}): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  const phase = context.phase ?? "headers";
  if (context.expired === "total") return new UpstreamFailure("timeout_total", upstreamName, `Upstream "${upstreamName}" did not finish in time`, { cause: error });
  if (code === "UND_ERR_CONNECT_TIMEOUT") return new UpstreamFailure("timeout_connect", upstreamName, `Upstream "${upstreamName}" did not accept the connection in time`, { cause: error });
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || name === "TimeoutError") {
    return phase === "stream"
      ? new UpstreamFailure("stream_cut", upstreamName, `Upstream "${upstreamName}" stalled in the middle of the stream`, { cause: error })
      : new UpstreamFailure("timeout_first_byte", upstreamName, `Upstream "${upstreamName}" did not answer in time`, { cause: error });
  }
  if (context.cancelled || code === "UND_ERR_ABORTED" || name === "AbortError") {
    return new UpstreamFailure("cancelled", upstreamName, `The call to upstream "${upstreamName}" was cancelled`, { cause: error });
  }
  if (phase === "stream") return new UpstreamFailure("stream_cut", upstreamName, `Upstream "${upstreamName}" broke off the stream`, { cause: error });
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EHOSTUNREACH" || code === "ENETUNREACH") {
    return new UpstreamFailure("connect", upstreamName, `Upstream "${upstreamName}" is unreachable (${String(code)})`, { cause: error });
  }
  const detail = typeof code === "string" ? ` (${code})` : "";
  return new UpstreamFailure("connection_reset", upstreamName, `Upstream "${upstreamName}" closed the connection${detail}`, { cause: error });
}

/**
 * Waits for the first chunk of a streamed body (so failures before any byte stay retryable), then
 * yields the rest, translated when the wire format needs it. The end marker must have been seen when
 * the upstream ends: OpenAI's `data: [DONE]`, or the translator's `completed`.
 */
async function streamFromFirstChunk(
  body: AsyncIterable<Uint8Array>,
  translator: StreamTranslator | undefined,
  hooks: { onError: (error: unknown, started: boolean) => SwitchyardError; cut: () => SwitchyardError; done: () => void; maxBytes: number; tooLarge: () => SwitchyardError },
): Promise<AsyncIterable<Uint8Array>> {
  const iterator = body[Symbol.asyncIterator]();
  let first: IteratorResult<Uint8Array>;
  try {
    first = await iterator.next();
  } catch (error) {
    hooks.done();
    throw hooks.onError(error, false);
  }
  const doneMarker = createDoneMarkerWatch();
  let received = first.done === true ? 0 : first.value.byteLength;
  if (received > hooks.maxBytes) {
    hooks.done();
    throw hooks.tooLarge();
  }
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      let next = first;
      while (next.done !== true) {
        const out = translator ? translator.push(next.value) : next.value;
        if (!translator) doneMarker.see(next.value);
        if (out !== undefined && out.byteLength > 0) yield out;
        try {
          next = await iterator.next();
        } catch (error) {
          throw hooks.onError(error, true);
        }
        if (next.done !== true) {
          received += next.value.byteLength;
          if (received > hooks.maxBytes) throw hooks.tooLarge();
        }
      }
      const rest = translator?.flush();
      if (rest !== undefined) yield rest;
      if (translator ? !translator.completed : !doneMarker.seen()) throw hooks.cut();
    } finally {
      hooks.done();
      await iterator.return?.();
    }
  }
  return chunks();
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads OpenAI's `{ "error": { message, type, param, code } }` tolerantly (also a bare string `error`). */
function errorDetailOf(text: string): UpstreamErrorDetail | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (value as { error?: unknown } | null)?.error;
  if (typeof error === "string") return { message: error, type: null, param: null, code: null };
  if (error === null || typeof error !== "object") return undefined;
  const field = (key: string): string | null => {
    const raw = (error as Record<string, unknown>)[key];
    return typeof raw === "string" ? raw : typeof raw === "number" ? String(raw) : null;
  };
  const message = field("message");
  return message === null ? undefined : { message, type: field("type"), param: field("param"), code: field("code") };
}

/** The body as UTF-8 text, or {@link responseTooLarge} (with the body destroyed) once it exceeds `limitBytes`. */
function readCapped(body: Dispatcher.ResponseData["body"], limitBytes: number): Promise<string> {
  // Listeners rather than `for await`: an async iterator per response costs a few µs at one connection.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limitBytes) {
        body.destroy();
        reject(responseTooLarge);
        return;
      }
      chunks.push(chunk);
    });
    body.on("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString("utf8") : Buffer.concat(chunks, size).toString("utf8")));
    body.on("error", reject);
  });
}

async function readLimited(body: AsyncIterable<Uint8Array> & { destroy?: () => void }, limitBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk));
    size += chunk.byteLength;
    if (size >= limitBytes) break;
  }
  return Buffer.concat(chunks).subarray(0, limitBytes).toString("utf8");
}
