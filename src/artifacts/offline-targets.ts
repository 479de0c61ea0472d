import type { Target } from "../core/target.js";
import type { RouterArtifact } from "./router-artifact.js";

/**
 * Targets for routing without a gateway (`route`, `ope`, benchmarks): one per model the artifact knows.
 * Prices are left at zero because the artifact's own cost model prices every model it was trained on,
 * and nothing is called upstream.
 */
export function offlineTargetsOf(artifact: RouterArtifact): Target[] {
  return artifact.models.map((id) => ({ id, inputUsdPerMTok: 0, outputUsdPerMTok: 0, contextWindow: 128_000 }));
}
