/** One labelled decision: the matcher's confidence and whether accepting it would be right. */
export interface ScoredDecision {
  score: number;
  /** True when the predicted route is the labelled one. */
  correct: boolean;
  /** True when the example belongs to no route (out of domain / default). */
  outOfDomain: boolean;
}

/**
 * The largest threshold at which in-domain accuracy, with rejections counted as errors, stays at or above
 * `minInDomainAccuracy` — the operating point CLINC150 reports out-of-scope recall at (Larson et al.,
 * 2019): as many out-of-domain queries rejected as the in-domain accuracy budget allows. Returns `-Infinity`
 * (reject nothing) when even that misses the target.
 */
export function thresholdForInDomainAccuracy(decisions: readonly ScoredDecision[], minInDomainAccuracy: number): number {
  const inDomain = decisions.filter((decision) => !decision.outOfDomain);
  if (inDomain.length === 0) return -Infinity;
  const correctScores = inDomain.filter((decision) => decision.correct).map((decision) => decision.score).sort((a, b) => a - b);
  // Rejecting the k lowest-scored correct decisions leaves (correct − k) / n accuracy.
  const allowedRejections = correctScores.length - Math.ceil(minInDomainAccuracy * inDomain.length);
  if (allowedRejections < 0) return -Infinity;
  if (allowedRejections >= correctScores.length) return Infinity;
  // Threshold at the (k+1)-th lowest correct score: ties with it are kept, so at most k are rejected.
  return correctScores[allowedRejections]!;
}

/**
 * The threshold that maximises routing accuracy on labelled examples whose best route is one route:
 * accepting is right for examples of that route, falling back to the default is right for out-of-domain
 * ones (examples of other routes are wrong either way). Ties go to the lower threshold.
 */
export function thresholdForBestAccuracy(decisions: readonly ScoredDecision[]): number {
  if (decisions.length === 0) return 0;
  const sorted = [...decisions].sort((a, b) => a.score - b.score);
  // Threshold below everything: all accepted.
  let right = sorted.filter((decision) => decision.correct).length;
  let bestRight = right;
  let best = sorted[0]!.score;
  for (let i = 0; i < sorted.length; i++) {
    const decision = sorted[i]!;
    if (decision.correct) right--;
    if (decision.outOfDomain) right++;
    const next = sorted[i + 1];
    if (next && next.score === decision.score) continue;
    if (right > bestRight) {
      bestRight = right;
      best = next ? (decision.score + next.score) / 2 : decision.score + 1e-9;
    }
  }
  return best;
}
