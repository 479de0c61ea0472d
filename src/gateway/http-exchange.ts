import { readJsonBody, type ReadJsonBodyOptions } from "./read-json-body.js";
import { sseOutputStream } from "./sse-output-stream.js";
import type { SseOutput } from "./sse-response-stream.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/**
 * What the hot route handlers need from an HTTP request, whatever serves it: hono's fetch-style
 * `Request` (tests, `app.request`, every other route) or Node's `IncomingMessage` directly
 * (`startGateway`'s fast path for `POST /v1/chat/completions`, which skips building web
 * Request/Response objects).
 */
export interface GatewayHttpRequest {
  /** A request header (lower-case name; the first value when repeated). */
  header(name: string): string | undefined;
  /** The body as a JSON object, with the checks of `readJsonBody` (415, 413, 400). */
  json(maxBodyBytes: number, options?: ReadJsonBodyOptions): Promise<Record<string, unknown>>;
  /** Aborts when the client goes away. */
  readonly signal: CancelSignal;
}

/**
 * A route's answer: a complete text body, or an SSE body pulled chunk by chunk. `afterSend` is the
 * request's bookkeeping (budget settlement, metrics, trace, log line): transports call it once, right
 * after handing the body to the socket, so it costs the client no latency (the fetch adapter calls it
 * before returning the `Response`).
 */
export type GatewayReply =
  | {
      status: number;
      headers: Record<string, string>;
      text: string;
      /**
       * The request's durable bookkeeping (`RequestScope.record`): transports call it before sending the
       * body, and when it returns a promise (the journal's group write) send only once that settled.
       */
      beforeSend?: () => Promise<void> | undefined | void;
      afterSend?: () => void;
    }
  | { status: number; headers: Record<string, string>; sse: SseOutput };

/** A {@link GatewayHttpRequest} over a fetch `Request`. */
export function fetchRequestOf(request: Request): GatewayHttpRequest {
  return new FetchGatewayRequest(request);
}

/** A class, not a literal with a getter (see `NodeGatewayRequest`); `signal` stays lazy. */
class FetchGatewayRequest implements GatewayHttpRequest {
  readonly #request: Request;

  constructor(request: Request) {
    this.#request = request;
  }

  /** An own bound function: callers pass `http.header` around as a header reader. */
  readonly header = (name: string): string | undefined => this.#request.headers.get(name) ?? undefined;

  json(maxBodyBytes: number, options?: ReadJsonBodyOptions): Promise<Record<string, unknown>> {
    return readJsonBody(this.#request, maxBodyBytes, options);
  }

  get signal(): CancelSignal {
    return this.#request.signal;
  }
}

/** A fetch `Response` for a {@link GatewayReply} (after the journal's group write, see `beforeSend`). */
export async function responseOf(reply: GatewayReply): Promise<Response> {
  if ("text" in reply) {
    const written = reply.beforeSend?.();
    if (written !== undefined) await written;
    const response = new Response(reply.text, { status: reply.status, headers: reply.headers });
    reply.afterSend?.();
    return response;
  }
  return new Response(sseOutputStream(reply.sse), { status: reply.status, headers: reply.headers });
}
