import { SwitchyardError } from "../../core/errors.js";
import type { Embedder } from "../../embedders/embedder.js";
import { isSparseEmbedder, type SparseVector } from "../../embedders/sparse-vector.js";
import type { RouteMatch, RouteMatcher } from "./route-matcher.js";

/** A route as the similarity matcher sees it. */
export interface SimilarityRoute {
  name: string;
  description: string;
  examples: readonly string[];
}

/** Options of {@link createSimilarityMatcher}. */
export interface SimilarityMatcherOptions {
  routes: readonly SimilarityRoute[];
  /** Embeds descriptions, examples and queries (L2-normalised vectors, so a dot product is the cosine). */
  embedder: Embedder;
  /** A route's score is the mean of its `topK` most similar utterances (default 5). */
  topK?: number;
}

/**
 * Matches a query to routes by embedding similarity: the cosine to each route's description and example
 * utterances, aggregated per route as the mean of the top-k (semantic-router's design, with k-NN style
 * aggregation so one stray example does not decide). Sparse embedders (hashed TF-IDF) go through an
 * inverted index, so matching costs the query's non-zeros × their posting lists, not routes × examples.
 *
 * @example
 * const matcher = await createSimilarityMatcher({ routes, embedder: await hashedTfidfEmbedderFactory.fit(texts) });
 * (await matcher.match("my card was declined")).route; // "banking"
 */
export async function createSimilarityMatcher(options: SimilarityMatcherOptions): Promise<RouteMatcher> {
  const { routes, embedder } = options;
  const topK = options.topK ?? 5;
  if (routes.length === 0) throw new SwitchyardError("invalid_config", "the similarity matcher needs at least one route");
  const texts: string[] = [];
  const routeOfText: number[] = [];
  routes.forEach((route, index) => {
    for (const text of [route.description, ...route.examples]) {
      texts.push(text);
      routeOfText.push(index);
    }
  });
  const similaritiesOf = await buildSimilarity(embedder, texts);
  const names = routes.map((route) => route.name);
  return {
    kind: "similarity",
    routes: names,
    async match(text: string): Promise<RouteMatch> {
      const similarities = await similaritiesOf(text);
      const perRoute: number[][] = routes.map(() => []);
      similarities.forEach((similarity, index) => perRoute[routeOfText[index]!]!.push(similarity));
      const scores: Record<string, number> = {};
      let best = 0;
      let bestScore = -Infinity;
      perRoute.forEach((values, index) => {
        values.sort((a, b) => b - a);
        const k = Math.min(topK, values.length);
        let sum = 0;
        for (let i = 0; i < k; i++) sum += values[i]!;
        const score = k > 0 ? sum / k : 0;
        scores[names[index]!] = score;
        if (score > bestScore) {
          bestScore = score;
          best = index;
        }
      });
      return { route: names[best]!, score: bestScore, scores };
    },
  };
}

async function buildSimilarity(embedder: Embedder, texts: readonly string[]): Promise<(text: string) => Promise<Float64Array>> {
  if (isSparseEmbedder(embedder)) {
    const postings = new Map<number, { rows: number[]; values: number[] }>();
    embedder.embedSparse(texts).forEach((vector, row) => {
      for (let n = 0; n < vector.indices.length; n++) {
        const bucket = vector.indices[n]!;
        let list = postings.get(bucket);
        if (!list) postings.set(bucket, (list = { rows: [], values: [] }));
        list.rows.push(row);
        list.values.push(vector.values[n]!);
      }
    });
    return async (text) => {
      const [query] = embedder.embedSparse([text]) as [SparseVector];
      const similarities = new Float64Array(texts.length);
      for (let n = 0; n < query.indices.length; n++) {
        const list = postings.get(query.indices[n]!);
        if (!list) continue;
        const weight = query.values[n]!;
        for (let i = 0; i < list.rows.length; i++) similarities[list.rows[i]!]! += weight * list.values[i]!;
      }
      return similarities;
    };
  }
  const vectors = await embedder.embed(texts);
  return async (text) => {
    const [query] = (await embedder.embed([text])) as [Float32Array];
    return Float64Array.from(vectors, (vector) => {
      let sum = 0;
      for (let d = 0; d < vector.length; d++) sum += vector[d]! * query[d]!;
      return sum;
    });
  };
}
