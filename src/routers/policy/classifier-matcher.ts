import type { OutOfDomainDetector } from "../../guard/out-of-domain-detector.js";
import type { RouteMatch, RouteMatcher } from "./route-matcher.js";

/**
 * Matches queries to routes with a trained route classifier (the guard's out-of-domain detector: a
 * WideMLP over hashed n-grams whose classes are the routes, or finer classes inside them). The score is
 * the route's probability, so one model both picks the route and tells when a query belongs to none.
 */
export function createClassifierMatcher(detector: OutOfDomainDetector): RouteMatcher {
  return {
    kind: "classifier",
    routes: detector.routes,
    async match(text: string): Promise<RouteMatch> {
      const verdict = await detector.classify(text);
      return { route: verdict.route, score: verdict.score, scores: verdict.scores };
    },
  };
}
