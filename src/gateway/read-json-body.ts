import { SwitchyardError } from "../core/errors.js";
import { jsonDepthOf, jsonTextDepthOf } from "./json-depth-scan.js";

const jsonContentType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Options for {@link readJsonBody}. */
export interface ReadJsonBodyOptions {
  /** Deepest nesting of arrays and objects accepted (default 64): deeper JSON could not be re-serialised. */
  maxDepth?: number;
  /** What the 413 names as the limit (default `server.maxBodyBytes`). */
  limitName?: string;
}

/** Default of {@link ReadJsonBodyOptions.maxDepth}. */
export const defaultMaxJsonDepth = 64;

/**
 * Reads a JSON request body with the checks that come before parsing: a JSON content type (415),
 * at most `maxBodyBytes` (413, decided from `content-length` without reading when it is declared,
 * otherwise while streaming), valid UTF-8 and valid JSON (400 `invalid_json`) that is an object
 * (400 `invalid_request`) nested at most `maxDepth` deep (400 `invalid_json`).
 */
export async function readJsonBody(request: Request, maxBodyBytes: number, options: ReadJsonBodyOptions = {}): Promise<Record<string, unknown>> {
  const contentType = request.headers.get("content-type");
  assertJsonContentType(contentType ?? undefined, request.headers.get("content-encoding") ?? undefined);
  const declared = request.headers.get("content-length");
  let text: string;
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > maxBodyBytes) throw tooLarge(maxBodyBytes, options.limitName);
    // The HTTP parser enforces the declared length, so the fast whole-body read is safe.
    let bytes: ArrayBuffer;
    try {
      bytes = await request.arrayBuffer();
    } catch (error) {
      throw clientClosed(error);
    }
    text = decodeUtf8(new Uint8Array(bytes));
  } else {
    text = await readStreamLimited(request, maxBodyBytes, options.limitName);
  }
  return parseJsonObject(text, options, jsonTextDepthOf);
}

/**
 * Throws 415 `unsupported_media_type` unless the content type is JSON and the body is not encoded
 * (`content-encoding` other than `identity`: the gateway does not decompress request bodies).
 */
export function assertJsonContentType(contentType: string | undefined, contentEncoding?: string): void {
  if (contentType === undefined || !jsonContentType.test(contentType)) {
    throw new SwitchyardError("unsupported_media_type", `Expected "content-type: application/json", got ${contentType === undefined ? "none" : `"${contentType.slice(0, 100)}"`}`);
  }
  if (contentEncoding !== undefined && contentEncoding.trim().toLowerCase() !== "identity" && contentEncoding.trim() !== "") {
    throw new SwitchyardError("unsupported_media_type", `Request bodies with "content-encoding: ${contentEncoding.slice(0, 40)}" are not accepted; send plain JSON`);
  }
}

/** The 413 for a body over `maxBodyBytes`; `limitName` is the setting (or fixed limit) that says so. */
export function tooLarge(maxBodyBytes: number, limitName = "server.maxBodyBytes"): SwitchyardError {
  return new SwitchyardError("payload_too_large", `The request body exceeds the limit of ${maxBodyBytes} bytes (${limitName})`);
}

/**
 * The 499 `client_closed` for a body whose connection went away before it was complete (a reset, an
 * abort, a request timeout): logged at info level by the transports, never a 500 with a stack trace.
 */
export function clientClosed(cause?: unknown): SwitchyardError {
  if (cause instanceof SwitchyardError) return cause;
  return new SwitchyardError("client_closed", "The client closed the connection before the request body was complete", { cause });
}

/** Decodes (strict UTF-8) and parses a body that must be a JSON object nested at most `maxDepth` deep. */
export function parseJsonBody(bytes: Uint8Array, options: ReadJsonBodyOptions = {}): Record<string, unknown> {
  const maxDepth = options.maxDepth ?? defaultMaxJsonDepth;
  // Depth first, on the raw bytes: deep nesting is refused before it costs a parse.
  if (jsonDepthOf(bytes, maxDepth) > maxDepth) throw tooDeep(maxDepth);
  return parseJsonObject(decodeUtf8(bytes), options, undefined);
}

function tooDeep(maxDepth: number): SwitchyardError {
  return new SwitchyardError("invalid_json", `The request body nests arrays and objects deeper than ${maxDepth} levels`);
}

function parseJsonObject(text: string, options: ReadJsonBodyOptions, depthOf: ((text: string, limit: number) => number) | undefined): Record<string, unknown> {
  if (text.length === 0) throw new SwitchyardError("invalid_json", "The request body is empty; expected a JSON object");
  const maxDepth = options.maxDepth ?? defaultMaxJsonDepth;
  if (depthOf !== undefined && depthOf(text, maxDepth) > maxDepth) throw tooDeep(maxDepth);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SwitchyardError("invalid_json", `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SwitchyardError("invalid_request", "The request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new SwitchyardError("invalid_json", "The request body is not valid UTF-8");
  }
}

async function readStreamLimited(request: Request, maxBodyBytes: number, limitName: string | undefined): Promise<string> {
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let read: Awaited<ReturnType<typeof reader.read>>;
    try {
      read = await reader.read();
    } catch (error) {
      throw clientClosed(error);
    }
    const { done, value } = read;
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBodyBytes, limitName);
    }
    chunks.push(value);
  }
  return decodeUtf8(Buffer.concat(chunks));
}
