import { SwitchyardError } from "../core/errors.js";

/** Options of a {@link BudgetPacer}. */
export interface BudgetPacerOptions {
  /** Money the period may spend (USD). */
  budgetUsd: number;
  /** Length of a budget period (ms), counted from `startMs`; ignored when `periodBounds` is given. */
  periodMs?: number;
  /** Start of the first period (epoch ms; default 0). */
  startMs?: number;
  /** Calendar periods instead (e.g. `periodStartOf`/`periodEndOf` of `budget-period.ts`): the period containing `nowMs`. */
  periodBounds?: (nowMs: number) => { startMs: number; endMs: number };
  /** Step size of the dual update (default 0.05). */
  learningRate?: number;
  /** Bounds of the willingness-to-pay multiplier (default 1e-4 … 1e4). */
  minMultiplier?: number;
  maxMultiplier?: number;
}

/** JSON-safe state of a {@link BudgetPacer} (persist it to survive a restart). */
export interface BudgetPacerState {
  version: 1;
  periodStartMs: number;
  spentUsd: number;
  requests: number;
  /** log of the multiplier applied to the base willingness-to-pay (the dual variable). */
  logMultiplier: number;
  /** Largest real/predicted cost ratio seen (the hard guard's safety margin), ≥ 1. */
  costSafety: number;
}

/** The safety margin is capped, so one absurd prediction cannot stall the guard. */
export const MAX_COST_SAFETY = 10;

/**
 * A budget pacing controller (dual descent on the budget constraint; Balseiro, Lu & Mirrokni 2020, "Dual
 * mirror descent for online allocation", as used for LLM routing budgets by PILOT): maximising
 * Σ wtp·quality − cost subject to Σ cost ≤ B is choosing argmax (wtp/μ)·quality − cost with a dual price
 * μ; the pacer learns 1/μ as a multiplier on the caller's willingness-to-pay so that spend tracks the
 * budget: after each request, with c* = remaining budget / expected remaining requests of the period
 * (request rate so far × time left), log m ← log m + η·clip(1 − cost/c*, −3, 1). Spending more than c*
 * lowers the willingness-to-pay, less raises it (up to `maxMultiplier`), so a generous budget buys
 * quality instead of being left unspent.
 *
 * The hard guard: {@link maxCostUsd} is the remaining money divided by the largest real/predicted cost
 * ratio seen so far; callers offer only candidates whose predicted cost fits it and refuse the request
 * when none does, so spend stays within the budget as long as no answer costs more than that ratio times its
 * prediction (docs/online-learning.md). Pure: the clock is passed in, the state is plain JSON.
 *
 * @example
 * const pacer = new BudgetPacer({ budgetUsd: 50, periodMs: 86_400_000, startMs: Date.UTC(2026, 0, 1) });
 * const wtp = pacer.willingnessToPay(baseWtp, Date.now());
 * const decision = await engine.decide(query, { maxCostUsd: pacer.maxCostUsd(Date.now()) });
 * pacer.record(realCostUsd, Date.now(), predictedCostUsd);
 */
export class BudgetPacer {
  private readonly options: Required<Omit<BudgetPacerOptions, "periodBounds" | "periodMs">> & Pick<BudgetPacerOptions, "periodBounds" | "periodMs">;
  private state: BudgetPacerState;

  constructor(options: BudgetPacerOptions, state?: BudgetPacerState) {
    if (!(options.budgetUsd >= 0) || !Number.isFinite(options.budgetUsd)) throw new SwitchyardError("invalid_config", `budget usd must be a finite number ≥ 0, got ${options.budgetUsd}`, { param: "budget.usd" });
    if (!options.periodBounds && !(options.periodMs !== undefined && options.periodMs > 0 && Number.isFinite(options.periodMs))) {
      throw new SwitchyardError("invalid_config", `budget period must be a positive number of milliseconds, got ${String(options.periodMs)}`, { param: "budget.period" });
    }
    this.options = { startMs: 0, learningRate: 0.05, minMultiplier: 1e-4, maxMultiplier: 1e4, ...options };
    this.state = state ? { ...state } : { version: 1, periodStartMs: this.boundsAt(this.options.startMs).startMs, spentUsd: 0, requests: 0, logMultiplier: 0, costSafety: 1 };
  }

  /** The base willingness-to-pay scaled by the learned multiplier. */
  willingnessToPay(baseWillingnessToPay: number, nowMs: number): number {
    this.roll(nowMs);
    return baseWillingnessToPay * Math.exp(this.state.logMultiplier);
  }

  /** Current multiplier on the willingness-to-pay. */
  multiplier(nowMs: number): number {
    this.roll(nowMs);
    return Math.exp(this.state.logMultiplier);
  }

  /** Money left in the current period. */
  remainingUsd(nowMs: number): number {
    this.roll(nowMs);
    return Math.max(0, this.options.budgetUsd - this.state.spentUsd);
  }

  /** The largest predicted cost a request may have now (the hard guard); 0 when the money is spent. */
  maxCostUsd(nowMs: number): number {
    return this.remainingUsd(nowMs) / this.state.costSafety;
  }

  /** Records one served request's real cost (and its predicted cost, which tunes the guard's margin). */
  record(costUsd: number, nowMs: number, predictedCostUsd?: number): void {
    this.roll(nowMs);
    const cost = Number.isFinite(costUsd) && costUsd > 0 ? costUsd : 0;
    const { startMs, endMs } = this.boundsAt(nowMs);
    const elapsed = Math.max(1, nowMs - startMs);
    const remainingTime = Math.max(0, endMs - nowMs);
    const remainingBudget = Math.max(0, this.options.budgetUsd - this.state.spentUsd);
    this.state.requests += 1;
    // Expected requests still to come in this period, from the rate seen so far (at least one).
    const expectedRequests = Math.max(1, (this.state.requests / elapsed) * remainingTime);
    const target = remainingBudget / expectedRequests;
    const gap = target > 0 ? 1 - cost / target : cost > 0 ? -3 : 0;
    const next = this.state.logMultiplier + this.options.learningRate * Math.max(-3, Math.min(1, gap));
    this.state.logMultiplier = Math.max(Math.log(this.options.minMultiplier), Math.min(Math.log(this.options.maxMultiplier), next));
    this.state.spentUsd += cost;
    if (predictedCostUsd !== undefined && predictedCostUsd > 0 && cost > 0) {
      this.state.costSafety = Math.min(MAX_COST_SAFETY, Math.max(this.state.costSafety, cost / predictedCostUsd));
    }
  }

  toState(): BudgetPacerState {
    return { ...this.state };
  }

  private boundsAt(nowMs: number): { startMs: number; endMs: number } {
    if (this.options.periodBounds) return this.options.periodBounds(nowMs);
    const period = this.options.periodMs!;
    const start = this.options.startMs + Math.floor((nowMs - this.options.startMs) / period) * period;
    return { startMs: start, endMs: start + period };
  }

  /** A new period starts with nothing spent; the multiplier carries over (the traffic is the same). */
  private roll(nowMs: number): void {
    const { startMs } = this.boundsAt(nowMs);
    if (startMs > this.state.periodStartMs) this.state = { ...this.state, periodStartMs: startMs, spentUsd: 0, requests: 0 };
  }
}
