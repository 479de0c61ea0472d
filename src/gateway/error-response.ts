import { SwitchyardError } from "../core/errors.js";
import { UpstreamHttpError } from "../providers/upstream-client.js";
import type { GatewayLogger } from "./gateway-logger.js";

/** OpenAI's error body, which the official SDKs parse into their `APIError` classes. */
export interface OpenAIErrorBody {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string | null;
    /** For errors an upstream answered: its HTTP status, so clients see which side failed. */
    upstream_status?: number;
    /** The upstream's own error code (e.g. `context_length_exceeded`), when it gave one. */
    upstream_code?: string | null;
  };
}

/** Where an error happened, for the log line. */
export interface ErrorContext {
  logger: GatewayLogger;
  requestId?: string;
  /** Extra response headers (e.g. `x-request-id`, decision headers already known). */
  headers?: Record<string, string>;
}

/**
 * Turns anything thrown into a `SwitchyardError`: ours pass unchanged, anything else becomes a
 * generic `internal_error` (the original is kept as `cause` for the log, never shown to the client).
 */
export function toSwitchyardError(error: unknown): SwitchyardError {
  if (error instanceof SwitchyardError) return error;
  return new SwitchyardError("internal_error", "The gateway failed unexpectedly; the server log has the details.", { cause: error });
}

/** The OpenAI-shaped body of an error (also sent as an SSE `data:` event when a stream fails midway). */
export function errorBodyOf(error: SwitchyardError): OpenAIErrorBody {
  if (error instanceof UpstreamHttpError) {
    return { error: { message: error.message, type: error.type, param: error.param, code: error.code, upstream_status: error.upstreamStatus, upstream_code: error.detail?.code ?? null } };
  }
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

/**
 * The one place an error becomes an HTTP response: OpenAI's `{ error: { message, type, param, code } }`
 * with the status the SDKs branch on, `retry-after` when known. Server errors (≥ 500) are logged with
 * their cause; the client sees only the message (a generic one for unexpected errors), never a stack.
 *
 * @example
 * app.onError((error, c) => errorResponse(error, { logger }));
 */
export function errorResponse(error: unknown, context: ErrorContext): Response {
  const reply = errorReply(error, context);
  return new Response(reply.text, { status: reply.status, headers: reply.headers });
}

/** {@link errorResponse} as plain status, headers and text, for transports that are not fetch-style. */
export function errorReply(error: unknown, context: ErrorContext): { status: number; headers: Record<string, string>; text: string } {
  const switchyardError = toSwitchyardError(error);
  logError(switchyardError, context);
  const headers: Record<string, string> = { "content-type": "application/json", ...context.headers };
  if (switchyardError.retryAfterSeconds !== undefined) headers["retry-after"] = String(Math.ceil(switchyardError.retryAfterSeconds));
  // The SDKs retry 429 and ≥ 500 by default; a spent budget will not be different a second later.
  if (!switchyardError.isRetryable && (switchyardError.status === 429 || switchyardError.status >= 500)) headers["x-should-retry"] = "false";
  return { status: switchyardError.status, headers, text: JSON.stringify(errorBodyOf(switchyardError)) };
}

/**
 * Logs server-side failures (status ≥ 500) with their cause; client errors are not logged, except a
 * client that went away (`client_closed`), one info line without a stack.
 */
export function logError(error: SwitchyardError, context: ErrorContext): void {
  if (error.code === "client_closed") {
    context.logger.info({ code: error.code, requestId: context.requestId }, "client_closed");
    return;
  }
  if (error.status < 500) return;
  const cause = error.cause;
  const fields: Record<string, unknown> = { code: error.code, status: error.status, requestId: context.requestId };
  if (cause instanceof Error) fields.cause = { name: cause.name, message: cause.message, stack: cause.stack };
  else if (cause !== undefined) fields.cause = String(cause);
  if (error instanceof UpstreamHttpError) fields.upstream = { name: error.upstreamName, status: error.upstreamStatus };
  if (error.code === "internal_error") context.logger.error(fields, error.message);
  else context.logger.warn(fields, error.message);
}
