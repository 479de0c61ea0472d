import { SwitchyardError } from "../core/errors.js";

const jsonContentType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** Options for {@link readJsonBody}. */
export interface ReadJsonBodyOptions {
  /** Deepest nesting of arrays and objects accepted (default 64): deeper JSON could not be re-serialised. */
  maxDepth?: number;
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
  assertJsonContentType(contentType ?? undefined);
  const declared = request.headers.get("content-length");
  let text: string;
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > maxBodyBytes) throw tooLarge(maxBodyBytes);
    // The HTTP parser enforces the declared length, so the fast whole-body read is safe.
    text = decodeUtf8(new Uint8Array(await request.arrayBuffer()));
  } else {
    text = await readStreamLimited(request, maxBodyBytes);
  }
  return parseJsonObject(text, options);
}

/** Throws 415 `unsupported_media_type` unless the content type is JSON. */
export function assertJsonContentType(contentType: string | undefined): void {
  if (contentType === undefined || !jsonContentType.test(contentType)) {
    throw new SwitchyardError("unsupported_media_type", `Expected "content-type: application/json", got ${contentType === undefined ? "none" : `"${contentType}"`}`);
  }
}

/** The 413 for a body over `maxBodyBytes`. */
export function tooLarge(maxBodyBytes: number): SwitchyardError {
  return new SwitchyardError("payload_too_large", `The request body exceeds the limit of ${maxBodyBytes} bytes (server.maxBodyBytes)`);
}

/** Decodes (strict UTF-8) and parses a body that must be a JSON object nested at most `maxDepth` deep. */
export function parseJsonBody(bytes: Uint8Array, options: ReadJsonBodyOptions = {}): Record<string, unknown> {
  return parseJsonObject(decodeUtf8(bytes), options);
}

function parseJsonObject(text: string, options: ReadJsonBodyOptions): Record<string, unknown> {
  if (text.length === 0) throw new SwitchyardError("invalid_json", "The request body is empty; expected a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SwitchyardError("invalid_json", `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SwitchyardError("invalid_request", "The request body must be a JSON object");
  }
  const maxDepth = options.maxDepth ?? defaultMaxJsonDepth;
  if (depthExceeds(value, maxDepth)) throw new SwitchyardError("invalid_json", `The request body nests arrays and objects deeper than ${maxDepth} levels`);
  return value as Record<string, unknown>;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new SwitchyardError("invalid_json", "The request body is not valid UTF-8");
  }
}

/** True when `value` nests deeper than `limit` (iterative: hostile depth cannot overflow the stack). */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node as object);
    for (const child of children) if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

async function readStreamLimited(request: Request, maxBodyBytes: number): Promise<string> {
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBodyBytes);
    }
    chunks.push(value);
  }
  return decodeUtf8(Buffer.concat(chunks));
}
