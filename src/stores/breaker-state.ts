/** Phases of a circuit breaker (Nygard, *Release It!*, 2007). */
export type BreakerPhase = "closed" | "open" | "half-open";

/**
 * The part of a target's circuit-breaker state that is shared through the store, so that several
 * gateway instances agree on which targets are cooling down. Failure counting stays per instance.
 */
export interface BreakerState {
  targetId: string;
  phase: BreakerPhase;
  /** While open: epoch milliseconds from which a half-open probe may be sent. */
  openUntil: number | null;
  /** How many times in a row the breaker opened without closing (drives the cooldown growth). */
  consecutiveOpens: number;
  /** Epoch milliseconds of the last change. */
  updatedAt: number;
}
