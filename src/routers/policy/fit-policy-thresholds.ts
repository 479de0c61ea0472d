import { thresholdForBestAccuracy, type ScoredDecision } from "../../guard/threshold-selection.js";
import type { RouteMatcher } from "./route-matcher.js";

/** A labelled utterance for threshold fitting: its route, or `null` when it belongs to no route (default). */
export interface LabelledUtterance {
  text: string;
  route: string | null;
}

/** Per-route fit result. */
export interface RouteThresholdFit {
  route: string;
  threshold: number;
  /** Examples whose best match was this route. */
  examples: number;
  /** Routing accuracy on those examples with no threshold and with the fitted one. */
  accuracyBefore: number;
  accuracyAfter: number;
}

/**
 * Fits each route's threshold from labelled utterances: among the utterances the matcher sends to a
 * route, the threshold that maximises routing accuracy, counting an out-of-domain utterance sent to the
 * default as right (`thresholdForBestAccuracy`). Routes no utterance matched keep no fit.
 */
export async function fitPolicyThresholds(matcher: RouteMatcher, utterances: readonly LabelledUtterance[]): Promise<RouteThresholdFit[]> {
  const byRoute = new Map<string, ScoredDecision[]>();
  for (const utterance of utterances) {
    const match = await matcher.match(utterance.text);
    const list = byRoute.get(match.route) ?? [];
    list.push({ score: match.score, correct: utterance.route === match.route, outOfDomain: utterance.route === null });
    byRoute.set(match.route, list);
  }
  const fits: RouteThresholdFit[] = [];
  for (const route of matcher.routes) {
    const decisions = byRoute.get(route);
    if (!decisions || decisions.length === 0) continue;
    const threshold = thresholdForBestAccuracy(decisions);
    const right = (t: number) => decisions.filter((decision) => (decision.score >= t ? decision.correct : decision.outOfDomain)).length / decisions.length;
    fits.push({ route, threshold, examples: decisions.length, accuracyBefore: right(-Infinity), accuracyAfter: right(threshold) });
  }
  return fits;
}
