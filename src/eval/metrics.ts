import type { CostQualityPoint } from "./hull.js";

/**
 * Quality of a non-decreasing hull at cost `costUsd`: linear between its points, flat to the right of its
 * last point, and null LEFT of its cheapest point (the router cannot operate that cheaply).
 */
export function qualityAtCost(hull: readonly CostQualityPoint[], costUsd: number): number | null {
  const first = hull[0];
  if (!first || costUsd < first.costUsd) return null;
  for (let i = 1; i < hull.length; i++) {
    const b = hull[i] as CostQualityPoint;
    if (costUsd <= b.costUsd) {
      const a = hull[i - 1] as CostQualityPoint;
      return a.quality + ((costUsd - a.costUsd) / (b.costUsd - a.costUsd)) * (b.quality - a.quality);
    }
  }
  return (hull[hull.length - 1] as CostQualityPoint).quality;
}

/**
 * RouterBench's Average Improvement in Quality (Hu et al., 2024, arXiv:2403.12031):
 * `AIQ = 1 / (cMax − cMin) × ∫_{cMin}^{cMax} h(c) dc`, with h the router's non-decreasing convex hull,
 * interpolated linearly between its points and flat to the right of its last one. [cMin, cMax] is the
 * cost range of the single models on the test set. Choice made here: LEFT of the router's cheapest point
 * h(c) = 0, because the router cannot operate there — so a one-point router (best-single) gets credit only
 * from its own cost on, instead of scoring as if it were free. When cMax = cMin the AIQ is h(cMin).
 *
 * @example
 * aiq([{ costUsd: 1, quality: 0.5 }, { costUsd: 3, quality: 0.9 }], 1, 5) // (0.7·2 + 0.9·2) / 4 = 0.8
 */
export function aiq(hull: readonly CostQualityPoint[], cMin: number, cMax: number): number {
  if (hull.length === 0) return 0;
  if (!(cMax > cMin)) return qualityAtCost(hull, cMin) ?? 0;
  let area = 0;
  // Breakpoints of h inside (cMin, cMax): the hull's points; h is linear between consecutive breakpoints.
  const cuts = [cMin, ...hull.map((point) => point.costUsd).filter((cost) => cost > cMin && cost < cMax), cMax];
  for (let i = 1; i < cuts.length; i++) {
    const left = cuts[i - 1] as number;
    const right = cuts[i] as number;
    const hullStart = (hull[0] as CostQualityPoint).costUsd;
    if (right <= hullStart) continue; // h = 0 left of the cheapest point
    const from = Math.max(left, hullStart);
    area += ((right - from) * ((qualityAtCost(hull, from) ?? 0) + (qualityAtCost(hull, right) ?? 0))) / 2;
  }
  return area / (cMax - cMin);
}

/**
 * Share of the zero-router-to-oracle AIQ gap a router closes:
 * `(AIQ_router − AIQ_zero) / (AIQ_oracle − AIQ_zero)`. 1 = as good as the oracle, 0 = no better than mixing
 * single models (RouterBench's zero router), negative = worse. Null when the oracle is no better than the
 * zero router (the gap is empty).
 */
export function gapRecovered(aiqRouter: number, aiqZero: number, aiqOracle: number): number | null {
  const gap = aiqOracle - aiqZero;
  if (!(gap > 1e-12 * Math.max(1, Math.abs(aiqOracle)))) return null;
  return (aiqRouter - aiqZero) / gap;
}

/**
 * Least cost at which the non-decreasing hull reaches quality `quality` (linear between points; the hull's
 * cheapest cost when its first point already does); null when it never does.
 */
export function costToMatch(hull: readonly CostQualityPoint[], quality: number): number | null {
  const first = hull[0];
  if (!first) return null;
  if (first.quality >= quality) return first.costUsd;
  for (let i = 1; i < hull.length; i++) {
    const b = hull[i] as CostQualityPoint;
    if (b.quality >= quality) {
      const a = hull[i - 1] as CostQualityPoint;
      return a.costUsd + ((quality - a.quality) / (b.quality - a.quality)) * (b.costUsd - a.costUsd);
    }
  }
  return null;
}

/** One operating point of a two-model router: share of calls to the strong model and mean quality. */
export interface StrongSharePoint {
  /** Share of examples sent to the strong model, in [0, 1]. */
  strongShare: number;
  quality: number;
}

/** RouteLLM's performance gap recovered (Ong et al., 2024, arXiv:2406.18665): `PGR = (q − q_weak) / (q_strong − q_weak)`. */
export function performanceGapRecovered(quality: number, weakQuality: number, strongQuality: number): number | null {
  const gap = strongQuality - weakQuality;
  return gap === 0 ? null : (quality - weakQuality) / gap;
}

/**
 * The PGR-vs-strong-share curve APGR and CPT use: the points' (share, PGR) plus the endpoints (0, 0) (all
 * weak) and (1, 1) (all strong), sorted by share; at a repeated share the highest PGR is kept.
 */
export function pgrCurve(points: readonly StrongSharePoint[], weakQuality: number, strongQuality: number): Array<{ strongShare: number; pgr: number }> | null {
  if (strongQuality === weakQuality) return null;
  const byShare = new Map<number, number>([[0, 0], [1, 1]]);
  for (const point of points) {
    const pgr = performanceGapRecovered(point.quality, weakQuality, strongQuality) ?? 0;
    const share = point.strongShare;
    byShare.set(share, Math.max(byShare.get(share) ?? -Infinity, pgr));
  }
  return [...byShare.entries()].map(([strongShare, pgr]) => ({ strongShare, pgr })).sort((a, b) => a.strongShare - b.strongShare);
}

/**
 * RouteLLM's average performance gap recovered (Ong et al., 2024, arXiv:2406.18665): `APGR = ∫_0^1 PGR(s) ds` over the
 * share s of calls to the strong model, PGR piecewise linear through {@link pgrCurve}. A router on the random
 * line (PGR = s) scores 0.5. Null when both models have the same quality.
 */
export function averagePerformanceGapRecovered(points: readonly StrongSharePoint[], weakQuality: number, strongQuality: number): number | null {
  const curve = pgrCurve(points, weakQuality, strongQuality);
  if (!curve) return null;
  let area = 0;
  for (let i = 1; i < curve.length; i++) {
    const a = curve[i - 1] as { strongShare: number; pgr: number };
    const b = curve[i] as { strongShare: number; pgr: number };
    area += ((b.strongShare - a.strongShare) * (a.pgr + b.pgr)) / 2;
  }
  return area;
}

/**
 * RouteLLM's call-performance threshold (Ong et al., 2024, arXiv:2406.18665): `CPT(x)` = the least share of calls to the
 * strong model among the points of {@link pgrCurve} whose PGR ≥ x (x = 0.5 → CPT(50%)). Null when no point
 * reaches x or both models have the same quality.
 */
export function callPerformanceThreshold(points: readonly StrongSharePoint[], weakQuality: number, strongQuality: number, pgrWanted: number): number | null {
  const curve = pgrCurve(points, weakQuality, strongQuality);
  return curve?.find((point) => point.pgr >= pgrWanted)?.strongShare ?? null;
}
