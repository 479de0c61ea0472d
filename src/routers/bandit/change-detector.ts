/** JSON-safe state of one {@link ChangeDetector}. */
export interface ChangeDetectorState {
  /** CUSUM of errors above +drift (the target got better than its model says). */
  up: number;
  /** CUSUM of errors below −drift (the target got worse). */
  down: number;
  /** Observations since the arm (re)started; the detector watches only after `warmup` of them. */
  count: number;
  /** Sum and number of the errors since `up` last left 0 (its current run; 0 when absent). */
  upSum?: number;
  upRun?: number;
  /** Sum and number of the errors since `down` last left 0. */
  downSum?: number;
  downRun?: number;
}

/** The tests' knobs; see the bandit parameter `changeDetection`. */
export interface ChangeDetectorOptions {
  /** k: the part of each error that is forgiven (half the smallest shift worth detecting), in reward units. */
  drift: number;
  /** h: the cumulated excess that raises an alarm, in reward units. */
  threshold: number;
  /** Observations an arm needs before it is watched: a young arm's errors are its prior's bias, not a change. */
  warmup: number;
}

/**
 * Page's two-sided CUSUM test on one arm's one-step-ahead prediction errors e = reward − predicted quality
 * (made before the arm learns the reward): up ← max(0, up + e − k), down ← max(0, down − e − k); an alarm
 * when either exceeds h. Stationary errors have mean ≈ 0 and never cumulate past k per step; a shift of δ
 * > k raises an alarm after ≈ (h + 1.17σ)/(δ − k) of the arm's observations (Siegmund's approximation).
 * With k = 0.125, h = 8 and 0/1 rewards (σ ≤ 0.5, the worst case) that is ≈ 27 observations for a quality
 * drop of 0.44 (the drift scenario's halving of a 0.88 model) and, measured, about one false alarm per
 * 2·10⁴ observations of a stationary arm at p = 0.5 (fewer at other p: test/routers/bandit/change-detection.test.ts). CUSUM-UCB (Liu, Lee & Shroff 2018) pairs such
 * a detector with a bandit so that a long memory (a discount close to 1) and a fast reaction to change are
 * not a trade-off: the discount serves the stationary stretches, the detector restarts the arm that changed.
 * On an alarm, {@link shift} is the mean error over the alarming side's run (the errors since that side last
 * left 0): the estimated size and sign of the change, which a warm-started arm's level moves by.
 */
export class ChangeDetector {
  private up: number;
  private down: number;
  private count: number;
  private upSum: number;
  private upRun: number;
  private downSum: number;
  private downRun: number;
  /** At the last alarm: the mean error over the alarming side's run, the estimated change (negative = worse). */
  shift = 0;

  constructor(
    private readonly options: ChangeDetectorOptions,
    state?: ChangeDetectorState,
  ) {
    this.up = state?.up ?? 0;
    this.down = state?.down ?? 0;
    this.count = state?.count ?? 0;
    this.upSum = state?.upSum ?? 0;
    this.upRun = state?.upRun ?? 0;
    this.downSum = state?.downSum ?? 0;
    this.downRun = state?.downRun ?? 0;
  }

  /** Feeds one prediction error; true = a change was detected (the detector has then started over). */
  observe(error: number): boolean {
    this.count++;
    if (this.count <= this.options.warmup || !Number.isFinite(error)) return false;
    this.up = Math.max(0, this.up + error - this.options.drift);
    this.down = Math.max(0, this.down - error - this.options.drift);
    if (this.up > 0) {
      this.upSum += error;
      this.upRun++;
    } else this.upSum = this.upRun = 0;
    if (this.down > 0) {
      this.downSum += error;
      this.downRun++;
    } else this.downSum = this.downRun = 0;
    if (this.up <= this.options.threshold && this.down <= this.options.threshold) return false;
    this.shift = this.up > this.options.threshold ? this.upSum / this.upRun : this.downSum / this.downRun;
    this.restart();
    return true;
  }

  /** Starts over (the arm it watches was restarted). */
  restart(): void {
    this.up = 0;
    this.down = 0;
    this.count = 0;
    this.upSum = this.upRun = this.downSum = this.downRun = 0;
  }

  toState(): ChangeDetectorState {
    return { up: this.up, down: this.down, count: this.count, upSum: this.upSum, upRun: this.upRun, downSum: this.downSum, downRun: this.downRun };
  }
}
