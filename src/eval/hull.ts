/** A point of a cost–quality curve: mean USD per prompt and mean quality. */
export interface CostQualityPoint {
  costUsd: number;
  quality: number;
}

/**
 * RouterBench's non-decreasing convex hull (Hu et al., 2024, arXiv:2403.12031): the upper concave hull of the
 * (cost, quality) points — what mixing any two operating points at random can achieve — cut at its
 * maximum quality so it never decreases (points costlier than the cheapest max-quality point are dropped;
 * the curve then extends flat to the right). Returned sorted by cost; dominated points and points on a
 * straight segment between two others are dropped; among equal costs the best quality is kept.
 *
 * @example
 * nonDecreasingConvexHull([{ costUsd: 1, quality: 0.5 }, { costUsd: 2, quality: 0.6 }, { costUsd: 3, quality: 0.9 }])
 * // → [{ costUsd: 1, quality: 0.5 }, { costUsd: 3, quality: 0.9 }]  ((2, 0.6) is under the chord)
 */
export function nonDecreasingConvexHull(points: readonly CostQualityPoint[]): CostQualityPoint[] {
  const sorted = points
    .filter((point) => Number.isFinite(point.costUsd) && Number.isFinite(point.quality))
    .map((point) => ({ costUsd: point.costUsd, quality: point.quality }))
    .sort((a, b) => a.costUsd - b.costUsd || b.quality - a.quality);
  const hull: CostQualityPoint[] = [];
  for (const point of sorted) {
    const last = hull[hull.length - 1];
    if (last && last.costUsd === point.costUsd) continue; // same cost, lower or equal quality
    // Andrew's monotone chain, upper half: pop while the last turn is not strictly clockwise.
    while (hull.length >= 2) {
      const a = hull[hull.length - 2] as CostQualityPoint;
      const b = hull[hull.length - 1] as CostQualityPoint;
      const cross = (b.costUsd - a.costUsd) * (point.quality - a.quality) - (b.quality - a.quality) * (point.costUsd - a.costUsd);
      if (cross >= 0) hull.pop();
      else break;
    }
    hull.push(point);
  }
  let peak = 0;
  for (let i = 1; i < hull.length; i++) if ((hull[i]?.quality ?? 0) > (hull[peak]?.quality ?? 0)) peak = i;
  return hull.slice(0, peak + 1);
}
