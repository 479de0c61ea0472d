import * as crypto from "node:crypto";

// Node ≥ 20.12 has a one-shot `crypto.hash` (no Hash object per call: about a third cheaper for a
// prompt-sized input, and routed requests hash every prompt); older Node 20 releases fall back.
const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

/**
 * SHA-256 of a UTF-8 string as 64 hex digits. Decision logs keep it in place of the prompt text when
 * `traces.storeText` is off, so repeated prompts can still be joined without storing what they say.
 */
export function sha256Hex(text: string): string {
  return oneShot !== undefined ? oneShot("sha256", text, "hex") : crypto.createHash("sha256").update(text, "utf8").digest("hex");
}
