import type { RateLimiter } from "../limits/rate-limiter.js";
import type { BreakerStateRepository, ReserveInput, SettleInput, UsageTotals } from "../stores/store.js";

/** A reservation request with the id that later settles (or expires) it. */
export interface CoordinatedReserveInput extends ReserveInput {
  /** Unique per request; a second `reserve` with the same id raises that reservation. */
  reservationId: string;
}

/** A settlement of the reservation `reservationId`. */
export interface CoordinatedSettleInput extends SettleInput {
  reservationId: string;
}

/**
 * What the budget guard reserves against and settles into. The store's `UsageLedger` is one (it ignores
 * reservation ids: its reservations die with the process that holds them); the Redis coordination
 * keeps reservations in Redis with an expiry and books settlements both there and in the durable store.
 */
export interface BudgetLedger {
  reserve(input: CoordinatedReserveInput): Promise<{ ok: boolean; totals: UsageTotals }>;
  settle(input: CoordinatedSettleInput): Promise<void>;
  totals(keyId: string, periodStart: number): Promise<UsageTotals>;
  /**
   * Spent and reserved USD for routing's cost cap, possibly up to a second old (the reservation, not this,
   * is what holds the budget). Optional: without it the cap reads `totals`.
   */
  spend?(keyId: string, periodStart: number): Promise<{ spentUsd: number; reservedUsd: number }>;
}

/** Tells every instance that something changed (a key revoked, learning updates appended). */
export interface Broadcast {
  /** Announces `message` to every instance, this one included. Never throws (a lost announcement only delays). */
  publish(message: string): Promise<void>;
  /**
   * Calls `listener` with each announced message; also with `undefined` when announcements may have
   * been missed (the connection was lost and is back), so the listener drops what it cached.
   */
  subscribe(listener: (message: string | undefined) => void): void;
}

/**
 * State that every gateway instance must share, and fast: rate limits, budget reservations, circuit-breaker
 * cooldowns, key revocations and learning announcements. Durable data (keys, the usage ledger, traces, the
 * learning log) stays in the `Store`.
 *
 * Implementations: `createLocalCoordination` (one process: the in-process rate limiter, the store's ledger and
 * breaker repository, in-process broadcasts) and `createRedisCoordination` (`coordination: redis://…`).
 *
 * @example
 * const coordination = await openCoordination(config, { store, logger });
 * const services = createGatewayServices(config, { store, coordination });
 */
export interface Coordination {
  /** `local` or `redis`. */
  readonly kind: string;
  /** Per-key request and token limits (its `admit` may resolve asynchronously). */
  readonly rateLimiter: RateLimiter;
  /** Where budget reservations are held and settlements booked. */
  readonly budgets: BudgetLedger;
  /** Circuit-breaker phases and cooldowns shared between instances. */
  readonly breakers: BreakerStateRepository;
  /** Key revocations (messages: key ids). */
  readonly revocations: Broadcast;
  /** Appends to the online learner's update log (messages: the appended `seq`). */
  readonly learning: Broadcast;
  /**
   * Whether reservations are shared with other instances: when true, a starting instance must not clear
   * reservations (they may belong to live instances; dead ones' expire by themselves).
   */
  readonly shared: boolean;
  /** Waits for pending writes (settlements queued during an outage are retried here once more) and disconnects. */
  close(): Promise<void>;
}
