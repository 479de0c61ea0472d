import { randomUUID } from "node:crypto";

const saneRequestId = /^[\w.:@-]{1,128}$/;

/**
 * The request id to use: the client's `x-request-id` when it is short and plain (letters, digits,
 * `_ . : @ -`, at most 128 characters), otherwise a fresh UUID. Echoed as `x-request-id`.
 */
export function requestIdOf(clientValue: string | null | undefined, generate: () => string = randomUUID): string {
  return clientValue !== null && clientValue !== undefined && saneRequestId.test(clientValue) ? clientValue : generate();
}
