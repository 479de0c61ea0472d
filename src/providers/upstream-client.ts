import { Pool } from "undici";
import type { Dispatcher } from "undici";
import { SwitchyardError } from "../core/errors.js";
import type { ErrorCode } from "../core/errors.js";
import type { Target } from "../core/target.js";
import { apiKeyOf } from "../gateway/config.js";
import type { UpstreamConfig } from "../gateway/config.js";

/** One chat-completion call to an upstream. */
export interface UpstreamChatRequest {
  /** The target being called (its `upstreamModel ?? id` is already in `body.model`). */
  target: Target;
  upstream: UpstreamConfig;
  /** The OpenAI chat-completion body to send, ready to serialise. */
  body: Readonly<Record<string, unknown>>;
  /** Aborts the call (the client went away). */
  signal?: AbortSignal;
  /** Sent upstream as `x-request-id` so logs on both sides line up. */
  requestId?: string;
}

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
 * An upstream answered with an HTTP error. A 4xx (other than 401/403, which mean the gateway's own
 * credentials are wrong) keeps the upstream's status and error body for the client (`upstream_rejected`);
 * everything else is a 502 `upstream_error`.
 */
export class UpstreamHttpError extends SwitchyardError {
  override readonly status: number;
  readonly upstreamName: string;
  readonly upstreamStatus: number;
  /** The upstream's error, when it is passed through to the client. */
  readonly detail: UpstreamErrorDetail | undefined;

  constructor(options: { upstreamName: string; upstreamStatus: number; detail: UpstreamErrorDetail | undefined; retryAfterSeconds?: number }) {
    const { upstreamName, upstreamStatus, detail } = options;
    const passThrough = upstreamStatus >= 400 && upstreamStatus < 500 && upstreamStatus !== 401 && upstreamStatus !== 403;
    const code: ErrorCode = passThrough ? "upstream_rejected" : "upstream_error";
    const message = passThrough
      ? (detail?.message ?? `Upstream "${upstreamName}" refused the request (${upstreamStatus})`)
      : upstreamStatus === 401 || upstreamStatus === 403
        ? `Upstream "${upstreamName}" refused the gateway's credentials (${upstreamStatus})`
        : `Upstream "${upstreamName}" failed (${upstreamStatus})`;
    super(code, message, {
      param: passThrough ? (detail?.param ?? null) : null,
      isRetryable: upstreamStatus === 408 || upstreamStatus === 409 || upstreamStatus === 429 || upstreamStatus >= 500,
      retryAfterSeconds: options.retryAfterSeconds,
    });
    this.name = "UpstreamHttpError";
    this.status = passThrough ? upstreamStatus : 502;
    this.upstreamName = upstreamName;
    this.upstreamStatus = upstreamStatus;
    this.detail = passThrough ? detail : undefined;
  }
}

/** Options for {@link createUpstreamClient}. */
export interface UpstreamClientOptions {
  upstreams: readonly UpstreamConfig[];
  /** Where `apiKeyEnv` variables are read (default `process.env`), once, at creation. */
  env?: NodeJS.ProcessEnv;
  /** Extra undici Pool options (connection limits, keep-alive), applied to every upstream. */
  poolOptions?: Pool.Options;
}

const errorBodyLimitBytes = 64 * 1024;

/**
 * An {@link UpstreamClient} over undici: one keep-alive `Pool` per upstream origin, request headers
 * and paths computed once per upstream. Reads API keys at creation, so a missing `apiKeyEnv` variable
 * fails at start-up naming both the variable and the `apiKey` alternative.
 *
 * @example
 * const client = createUpstreamClient({ upstreams: config.upstreams });
 * const response = await client.chatCompletion({ target, upstream, body: { model: "gpt-4o", messages } });
 */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const pools = new Map<string, Pool>();
  const routes = new Map<string, { pool: Pool; path: string; headers: Record<string, string> }>();
  options.upstreams.forEach((upstream, index) => {
    const url = new URL(upstream.baseUrl);
    let pool = pools.get(url.origin);
    if (pool === undefined) {
      pool = new Pool(url.origin, { keepAliveTimeout: 30_000, ...options.poolOptions });
      pools.set(url.origin, pool);
    }
    const apiKey = apiKeyOf(upstream, index, options.env);
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream" };
    if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
    routes.set(upstream.name, { pool, path: `${url.pathname.replace(/\/+$/, "")}/chat/completions`, headers });
  });

  return {
    async chatCompletion(request) {
      const { upstream, body, signal } = request;
      const route = routes.get(upstream.name);
      if (route === undefined) throw new SwitchyardError("internal_error", `No upstream client for "${upstream.name}"`);
      const headers = request.requestId === undefined ? route.headers : { ...route.headers, "x-request-id": request.requestId };
      let response: Dispatcher.ResponseData;
      try {
        response = await route.pool.request({
          path: route.path,
          method: "POST",
          headers,
          body: JSON.stringify(body),
          signal,
          headersTimeout: upstream.timeoutMs,
          bodyTimeout: upstream.timeoutMs,
        });
      } catch (error) {
        throw transportError(error, upstream.name);
      }
      const { statusCode, headers: responseHeaders } = response;
      if (statusCode < 200 || statusCode >= 300) {
        const text = await readLimited(response.body, errorBodyLimitBytes).catch(() => "");
        throw new UpstreamHttpError({
          upstreamName: upstream.name,
          upstreamStatus: statusCode,
          detail: errorDetailOf(text),
          retryAfterSeconds: retryAfterSecondsOf(responseHeaders),
        });
      }
      const contentType = headerValue(responseHeaders["content-type"]) ?? "";
      if (body.stream === true && contentType.includes("text/event-stream")) {
        return { status: statusCode, headers: responseHeaders, body: { kind: "stream", chunks: response.body } };
      }
      let text: string;
      try {
        text = await response.body.text();
      } catch (error) {
        throw transportError(error, upstream.name);
      }
      try {
        return { status: statusCode, headers: responseHeaders, body: { kind: "json", text, value: JSON.parse(text) } };
      } catch (error) {
        throw new SwitchyardError("upstream_error", `Upstream "${upstream.name}" answered with invalid JSON`, { cause: error });
      }
    },
    async close() {
      await Promise.all([...pools.values()].map((pool) => pool.close()));
    },
  };
}

/** Maps undici's transport failures to `upstream_timeout` / `upstream_error`. */
export function transportError(error: unknown, upstreamName: string): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT" || name === "TimeoutError") {
    return new SwitchyardError("upstream_timeout", `Upstream "${upstreamName}" did not answer in time`, { cause: error });
  }
  if (code === "UND_ERR_ABORTED" || name === "AbortError") {
    return new SwitchyardError("upstream_error", `The call to upstream "${upstreamName}" was cancelled`, { cause: error, isRetryable: false });
  }
  const detail = typeof code === "string" ? ` (${code})` : "";
  return new SwitchyardError("upstream_error", `Upstream "${upstreamName}" is unreachable${detail}`, { cause: error });
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `retry-after-ms` (OpenAI) or `retry-after` in seconds; HTTP dates are ignored. */
function retryAfterSecondsOf(headers: Record<string, string | string[] | undefined>): number | undefined {
  const milliseconds = Number(headerValue(headers["retry-after-ms"]));
  if (Number.isFinite(milliseconds) && milliseconds >= 0 && headers["retry-after-ms"] !== undefined) return milliseconds / 1000;
  const seconds = Number(headerValue(headers["retry-after"]));
  return Number.isFinite(seconds) && seconds >= 0 && headers["retry-after"] !== undefined ? seconds : undefined;
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
