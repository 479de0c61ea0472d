import { createServer as createNetServer } from "node:net";
import { SwitchyardError } from "../core/errors.js";
import { errorBodyOf } from "./error-response.js";

/** A whole HTTP/1.1 response with a JSON error body, written straight to a socket. */
export function rawJsonResponse(status: number, reason: string, error: SwitchyardError): string {
  const body = JSON.stringify(errorBodyOf(error));
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

// Built once: slow clients are cut by the thousand when their read timeout expires together, and each
// answer must then cost a socket write, not an error object with a stack trace.
const headersTooLarge = rawJsonResponse(431, "Request Header Fields Too Large", new SwitchyardError("headers_too_large", "The request headers are too large"));
const requestTimedOut = rawJsonResponse(408, "Request Timeout", new SwitchyardError("request_timeout", "The request headers or body did not arrive in time (server.headersTimeoutMs, server.requestTimeoutMs)"));
const notHttp = rawJsonResponse(400, "Bad Request", new SwitchyardError("invalid_request", "The request is not valid HTTP (malformed request line or header)"));

/** The raw OpenAI-shaped answer to a request Node refused (by its error code) before any handler saw it. */
export function protocolErrorResponseOf(code: string | undefined): string {
  if (code === "HPE_HEADER_OVERFLOW") return headersTooLarge;
  if (code === "ERR_HTTP_REQUEST_TIMEOUT") return requestTimedOut;
  return notHttp;
}

/**
 * A failure to bind as a one-line configuration error naming the port and the flag that sets it
 * (the port busy, or not allowed), instead of an "unexpected failure".
 */
export function listenErrorOf(error: NodeJS.ErrnoException, port: number, host: string): Error {
  if (error.code === "EADDRINUSE") {
    return new SwitchyardError("invalid_config", `Port ${port} on ${host} is already in use; choose another with --port (or server.port), or --port 0 for any free port`, { param: "server.port", cause: error });
  }
  if (error.code === "EACCES") {
    return new SwitchyardError("invalid_config", `Not allowed to listen on port ${port} on ${host} (ports below 1024 need privileges); choose another with --port (or server.port)`, { param: "server.port", cause: error });
  }
  if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
    return new SwitchyardError("invalid_config", `Cannot listen on ${host}: no such local address (--host or server.host)`, { param: "server.host", cause: error });
  }
  return error;
}

/**
 * Resolves when `port` can be bound on `host` right now (tried and released at once), else rejects
 * with {@link listenErrorOf}'s message — for commands that do slow work (training) before they listen.
 * Port 0 always passes.
 */
export function assertPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once("error", (error: NodeJS.ErrnoException) => reject(listenErrorOf(error, port, host)));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}
