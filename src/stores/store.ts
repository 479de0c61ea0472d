import type { ApiKeyRecord } from "./api-key-record.js";
import type { BreakerState } from "./breaker-state.js";
import type { JudgementRecord, LearningContextRecord, LearningSnapshot, LearningUpdateRecord, RewardSource } from "./learning-records.js";
import type { TraceFeedback, TraceFilter, TraceRecord, TraceReward } from "./trace-record.js";
import type { TraceRollupRepository } from "./trace-rollup-repository.js";

/** API keys (hashed). */
export interface KeyRepository {
  /** Adds a key; throws `SwitchyardError("invalid_request")` when an active key has the same name. */
  insert(record: ApiKeyRecord): Promise<void>;
  /** The key with this hash, revoked or not. */
  findByHash(hash: string): Promise<ApiKeyRecord | undefined>;
  /** The key with this id. */
  findById(id: string): Promise<ApiKeyRecord | undefined>;
  /** Every key, oldest first. */
  list(): Promise<ApiKeyRecord[]>;
  /** Marks a key revoked; false when no active key has this id. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Number of keys that are not revoked. */
  countActive(): Promise<number>;
  /** Number of keys ever created, revoked ones included. */
  countAll(): Promise<number>;
  /**
   * A number that changes whenever keys may have changed — through this store or, for stores shared
   * between processes, anywhere else (the CLI revoking a key) — so callers can cache key records and
   * still see a revocation at once. Optional: without it, callers cache for a bounded time only.
   */
  revision?(): number;
}

/** Spend and token counts of one key in one budget period. */
export interface UsageTotals {
  /** USD settled (real cost of finished requests). */
  spentUsd: number;
  /** USD reserved by requests still in flight. */
  reservedUsd: number;
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

/** What {@link UsageLedger.reserve} asks for. */
export interface ReserveInput {
  keyId: string;
  /** Epoch milliseconds where the budget period starts (0 for lifetime budgets). */
  periodStart: number;
  amountUsd: number;
  /** The key's budget; the reservation succeeds only if spent + reserved + amount ≤ limit. */
  limitUsd: number;
}

/** What {@link UsageLedger.settle} records when a request ends. */
export interface SettleInput {
  keyId: string;
  periodStart: number;
  /** The amount reserved for this request (released now); 0 when nothing was reserved. */
  reservedUsd: number;
  /** The real cost (0 when the request failed before any upstream charged it). */
  actualUsd: number;
  inputTokens: number;
  outputTokens: number;
}

/**
 * Per-key spending ledger. `reserve` is atomic with respect to other `reserve` calls on the same
 * store (a check-and-add in memory, a SQL transaction, a Lua script …): that is what keeps budgets
 * under concurrency. `settle` must be durable when it resolves (spend survives a restart);
 * reservations need not be (they belong to in-flight requests and are cleared at start-up).
 */
export interface UsageLedger {
  /** Atomically reserves `amountUsd` when the budget allows it. */
  reserve(input: ReserveInput): Promise<{ ok: boolean; totals: UsageTotals }>;
  /** Releases a reservation and books the real cost and tokens. */
  settle(input: SettleInput): Promise<void>;
  /** Totals of one key in one period (zeros when nothing was booked). */
  totals(keyId: string, periodStart: number): Promise<UsageTotals>;
  /**
   * Forgets every reservation. A single instance calls it at start-up: reservations belong to
   * in-flight requests, and a crashed process leaves none in flight.
   */
  clearReservations(): Promise<void>;
}

/** Request traces and their feedback. */
export interface TraceRepository {
  /**
   * Stores traces (one transaction for the batch); a trace whose id is already stored is left as it is.
   * `journalBytes`: every trace journaled before this position of the store's {@link StoreJournal} is in
   * this batch or an earlier one (recorded in the same transaction, for crash recovery).
   */
  insertMany(traces: readonly TraceRecord[], journalBytes?: number): Promise<void>;
  /**
   * Traces per `insertMany` the gateway's trace writer should send (default 128 per call, 500 per flush:
   * SQLite's inserts are synchronous, so small slices keep the event loop free). A store whose writes are
   * asynchronous and pay one commit per call (PostgreSQL) asks for larger ones.
   */
  readonly writeBatch?: number;
  get(id: string): Promise<TraceRecord | undefined>;
  /** The newest trace of this key (null: requests without a key) that the client tagged with `clientRequestId`. */
  findByClientRequestId(keyId: string | null, clientRequestId: string): Promise<TraceRecord | undefined>;
  /** Traces matching `filter`, newest first. */
  list(filter?: TraceFilter): Promise<TraceRecord[]>;
  /** Attaches feedback to a stored trace; false when there is no trace with this id. */
  setFeedback(id: string, feedback: TraceFeedback): Promise<boolean>;
  /** Appends a reward from another source (a judge, a grader) to a stored trace; false when there is no trace with this id. */
  addReward(id: string, reward: TraceReward): Promise<boolean>;
  /** Deletes traces created before `before` (epoch ms); returns how many went. */
  prune(before: number): Promise<number>;
}

/** Circuit-breaker cooldowns, shared by every instance that uses the store. */
export interface BreakerStateRepository {
  all(): Promise<BreakerState[]>;
  put(state: BreakerState): Promise<void>;
}

/** What {@link LearningRepository.appendUpdate} records. */
export type NewLearningUpdate = Omit<LearningUpdateRecord, "seq">;

/**
 * Online learning's durable state: the learning context of each routed request, an append-only log of
 * the updates learned from rewards (at most one per request and reward source), snapshots of the
 * router's learned state, and budget pacers' states. State = last snapshot + the log after it.
 */
export interface LearningRepository {
  /** Stores learning contexts (one transaction for the batch; an existing id is kept as it is). */
  putContexts(contexts: readonly LearningContextRecord[]): Promise<void>;
  getContext(requestId: string): Promise<LearningContextRecord | undefined>;
  /**
   * Appends an update unless one with the same request id and source exists (atomic): returns its
   * `seq`, or null when the request was already learned from this source.
   */
  appendUpdate(update: NewLearningUpdate): Promise<number | null>;
  /** Whether the request was already learned from `source`. */
  hasUpdate(requestId: string, source: RewardSource): Promise<boolean>;
  /** Updates with `seq` above `afterSeq`, in order. */
  updatesAfter(afterSeq: number): Promise<LearningUpdateRecord[]>;
  /** Highest `seq` in the log (0 when empty). */
  lastSeq(): Promise<number>;
  snapshot(): Promise<LearningSnapshot | undefined>;
  /** Replaces the snapshot (atomic: readers see the old or the new one). */
  saveSnapshot(snapshot: LearningSnapshot): Promise<void>;
  /** Forgets the snapshot and the update log (an imported state replaces what was learned). */
  resetLearnedState(snapshot: LearningSnapshot): Promise<void>;
  setJudgement(requestId: string, judgement: JudgementRecord): Promise<void>;
  getJudgement(requestId: string): Promise<JudgementRecord | undefined>;
  /** A budget pacer's state (JSON text) by scope (`global`, `key:<id>`). */
  pacerState(scope: string): Promise<string | undefined>;
  putPacerState(scope: string, state: string): Promise<void>;
  /**
   * Deletes contexts created before `before`, and log entries of those requests already folded into the
   * snapshot (`seq ≤ snapshotSeq`); returns how many contexts went.
   */
  prune(before: number, snapshotSeq: number): Promise<number>;
}

/**
 * A crash-safe record of finished requests (see `RequestJournal` of the SQLite store), written by group
 * commit: an entry is durable against a crash of the process once the promise `append` returns has
 * settled (at the end of the event-loop turn), or once `flush` returned.
 */
export interface StoreJournal {
  append(entry: { trace?: TraceRecord; settlement?: SettleInput }): Promise<void>;
  /** Writes what is waiting now (synchronously). */
  flush(): void;
  /** Bytes appended so far (what a batch taken now covers). */
  position(): number;
}

/**
 * Where the gateway keeps what must outlive a request: keys, spend, traces and breaker cooldowns.
 * Implementations: `createSqliteStore` (embedded default), `createMemoryStore` (tests) and
 * `openPostgresStore` (shared by several instances; docs/postgres.md); `createStore` opens the one a
 * configuration names.
 */
export interface Store {
  /** Backend name, e.g. `sqlite`. */
  readonly kind: string;
  readonly keys: KeyRepository;
  readonly usage: UsageLedger;
  readonly traces: TraceRepository;
  readonly breakers: BreakerStateRepository;
  /** Online learning: contexts, update log, snapshots, pacer states. */
  readonly learning: LearningRepository;
  /**
   * Present when the store keeps a journal of finished requests (SQLite with `journal: true`, what
   * `switchyard serve` opens): the gateway appends each request's trace and settlement to it before the
   * response's last byte, so a crash loses no finished request.
   */
  readonly journal?: StoreJournal;
  /**
   * Aggregates of the traces kept as they are written (the dashboard's overview, models, keys and
   * learning pages read them). Optional: a store without them serves no dashboard aggregates.
   */
  readonly rollups?: TraceRollupRepository;
  /**
   * Present on stores kept in one local file (SQLite): its path, so a reader on another thread can open
   * its own connection to it (the dashboard's reads, docs/dashboard.md).
   */
  readonly filePath?: string;
  /** Present on stores that drop old records to stay bounded (memory): how many traces and learning contexts were dropped so far. */
  readonly droppedRecords?: () => { traces: number; contexts: number };
  /** Flushes and releases the backend; the store is unusable afterwards. */
  close(): Promise<void>;
}
