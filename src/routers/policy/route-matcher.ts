/** A matcher's view of one query: its best route and every route's score. */
export interface RouteMatch {
  route: string;
  score: number;
  scores: Record<string, number>;
}

/** Scores a query against declared routes (embedding similarity, or a trained route classifier). */
export interface RouteMatcher {
  readonly kind: string;
  readonly routes: readonly string[];
  match(text: string): Promise<RouteMatch>;
}
