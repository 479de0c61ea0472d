import { createHash } from "node:crypto";
import type { RouterArtifact } from "./router-artifact.js";

/** Hex digits of the SHA-256 kept as an artifact version (64 bits: collisions are not a concern for a team's artifacts). */
const VERSION_HEX_DIGITS = 16;

/**
 * The content version of a router artifact: the first 16 hex digits of the SHA-256 of its canonical
 * JSON (`JSON.stringify` of the parsed artifact, which is what `saveRouterArtifact` writes). Two
 * artifacts with the same version make the same decisions; decision logs record it so that an
 * evaluation or a retraining knows which router served each request. Computed once per loaded artifact.
 *
 * @example
 * artifactVersionOf(await loadRouterArtifact("router.json")); // "3f1c0b9a7d2e4c11"
 */
export function artifactVersionOf(artifact: RouterArtifact): string {
  return createHash("sha256").update(JSON.stringify(artifact)).digest("hex").slice(0, VERSION_HEX_DIGITS);
}
