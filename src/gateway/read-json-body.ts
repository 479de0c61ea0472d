import { SwitchyardError } from "../core/errors.js";

const jsonContentType = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads a JSON request body with the checks that come before parsing: a JSON content type (415),
 * at most `maxBodyBytes` (413, decided from `content-length` without reading when it is declared,
 * otherwise while streaming), then valid JSON (400 `invalid_json`) that is an object (400 `invalid_request`).
 */
export async function readJsonBody(request: Request, maxBodyBytes: number): Promise<Record<string, unknown>> {
  const contentType = request.headers.get("content-type");
  if (contentType === null || !jsonContentType.test(contentType)) {
    throw new SwitchyardError("unsupported_media_type", `Expected "content-type: application/json", got ${contentType === null ? "none" : `"${contentType}"`}`);
  }
  const declared = request.headers.get("content-length");
  let text: string;
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > maxBodyBytes) throw tooLarge(maxBodyBytes);
    // The HTTP parser enforces the declared length, so the fast whole-body read is safe.
    text = await request.text();
  } else {
    text = await readStreamLimited(request, maxBodyBytes);
  }
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
  return value as Record<string, unknown>;
}

function tooLarge(maxBodyBytes: number): SwitchyardError {
  return new SwitchyardError("payload_too_large", `The request body exceeds the limit of ${maxBodyBytes} bytes (server.maxBodyBytes)`);
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
  return Buffer.concat(chunks).toString("utf8");
}
