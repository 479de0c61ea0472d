import { createHash } from "node:crypto";

/**
 * SHA-256 of a UTF-8 string as 64 hex digits. Decision logs keep it in place of the prompt text when
 * `traces.storeText` is off, so repeated prompts can still be joined without storing what they say.
 */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}
