/**
 * Maps the caller's quality knob in [0, 1] to a willingness-to-pay (USD per unit of quality).
 *
 * Computed on training data: for each willingness-to-pay on a log grid, the router's mean predicted
 * spend on held-out training prompts. Predicted spend is non-decreasing in willingness-to-pay (the argmax
 * of `w·q − c` moves to costlier, better candidates as `w` grows), so the curve can be inverted: knob `k`
 * asks for `spendMin + k × (spendMax − spendMin)` and gets the interpolated willingness-to-pay that spends
 * that much. Equal knob steps are therefore equal steps of expected spend — the same idea as RouteLLM's
 * threshold calibration ("send X% of calls to the strong model"), generalised from call share to spend.
 */
export interface KnobCalibration {
  /** Ascending willingness-to-pay values (the first is 0). */
  willingnessToPay: number[];
  /** Mean predicted spend (USD per prompt) at each willingness-to-pay; non-decreasing. */
  spendUsd: number[];
}

/** Willingness-to-pay whose expected spend is `knob` of the way from the cheapest to the costliest. */
export function willingnessToPayForKnob(calibration: KnobCalibration, knob: number): number {
  const { willingnessToPay: wtp, spendUsd: spend } = calibration;
  const last = wtp.length - 1;
  if (last < 0) return 0;
  const k = Math.min(1, Math.max(0, knob));
  const low = spend[0] ?? 0;
  const high = spend[last] ?? 0;
  if (k <= 0 || high <= low) return wtp[0] ?? 0;
  if (k >= 1) return wtp[last] ?? 0;
  const wanted = low + k * (high - low);
  for (let i = 1; i <= last; i++) {
    const s1 = spend[i] ?? 0;
    if (s1 >= wanted) {
      const s0 = spend[i - 1] ?? 0;
      const w0 = wtp[i - 1] ?? 0;
      const w1 = wtp[i] ?? 0;
      const t = s1 > s0 ? (wanted - s0) / (s1 - s0) : 1;
      return w0 + t * (w1 - w0);
    }
  }
  return wtp[last] ?? 0;
}

/** Expected spend (USD per prompt) at `knob`, for reporting next to the realised spend. */
export function expectedSpendForKnob(calibration: KnobCalibration, knob: number): number {
  const low = calibration.spendUsd[0] ?? 0;
  const high = calibration.spendUsd[calibration.spendUsd.length - 1] ?? 0;
  return low + Math.min(1, Math.max(0, knob)) * (high - low);
}
