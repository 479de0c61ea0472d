import { randomBytes, randomInt } from "node:crypto";
import { createRandom, type Random } from "../core/random.js";
import { createAdminKey, type AdminKey } from "../limits/admin-key.js";
import { createApiKeyHasher, type ApiKeyHasher } from "../limits/api-key-hasher.js";
import { createApiKeyService, presentedKeyOf, type ApiKeyService } from "../limits/api-key-service.js";
import { createBudgetGuard, type BudgetGuard } from "../limits/budget-guard.js";
import type { RateLimiter } from "../limits/rate-limiter.js";
import type { Coordination } from "../coordination/coordination.js";
import { createLocalCoordination } from "../coordination/local-coordination.js";
import { Counter } from "prom-client";
import { createGatewayMetrics, type GatewayMetrics } from "../observability/gateway-metrics.js";
import { createTraceWriter, type TraceWriter } from "../observability/trace-writer.js";
import { createCircuitBreakers, type CircuitBreakers } from "../resilience/circuit-breaker.js";
import { abortableSleep, createFallbackExecutor, type FallbackExecutor } from "../resilience/fallback-executor.js";
import { createRetryPolicy } from "../resilience/retry-policy.js";
import type { TimerFunctions } from "../resilience/timeouts.js";
import type { ApiKeyRecord } from "../stores/api-key-record.js";
import { createMemoryStore } from "../stores/memory/memory-store.js";
import type { Store } from "../stores/store.js";
import { SwitchyardError } from "../core/errors.js";
import type { GatewayConfig } from "./config.js";
import type { GatewayLogger } from "./gateway-logger.js";
import type { CancelSignal } from "../resilience/cancel-signal.js";

/** Everything the production features share: store, keys, limits, resilience, traces, metrics. */
export interface GatewayServices {
  readonly store: Store;
  /** What this instance shares with others (`coordination`); `local` when it runs alone. */
  readonly coordination: Coordination;
  readonly keys: ApiKeyService;
  readonly limiter: RateLimiter;
  readonly budgets: BudgetGuard;
  readonly breakers: CircuitBreakers;
  readonly executor: FallbackExecutor;
  /** Undefined when `traces.enabled` is false. */
  readonly traces: TraceWriter | undefined;
  readonly metrics: GatewayMetrics;
  /** The operator's admin key (`admin.keyEnv`), which guards `/metrics`. */
  readonly adminKey: AdminKey;
  /** Whether any API key was ever created (cached for a second, like `authenticate`). */
  keysExist(): Promise<boolean>;
  /**
   * Whether a key was already seen to exist (synchronous, no store query; once true it stays true, as
   * keys are never deleted): requests without a key can then be refused without reading them.
   */
  keysKnownToExist(): boolean;
  /** Set while shutting down: new requests get 503 `unavailable`, `/readyz` says draining. */
  readonly lifecycle: { draining: boolean };
  /**
   * The key a request presents, checked: null when the gateway runs open (no key was ever created
   * and open access is allowed); otherwise a valid key or `unauthorized` (401).
   */
  authenticate(header: (name: string) => string | undefined): Promise<ApiKeyRecord | null>;
  /** Whether this refused-before-routing request is stored as a trace (`traces.sampleRejected`, default none). */
  sampleRejectedTrace(): boolean;
  /** Writes pending traces and breaker states (the store itself belongs to whoever opened it). */
  flush(): Promise<void>;
}

/** Dependencies of {@link createGatewayServices}; all optional. */
export interface GatewayServicesDeps {
  /** Default: a fresh memory store (nothing persists). */
  store?: Store;
  /** What instances share (rate limits, reservations, breakers, revocations). Default: this process only. */
  coordination?: Coordination;
  /** Hashes presented keys; must use the same pepper as the CLI that created them. Default: a random pepper. */
  keyHasher?: ApiKeyHasher;
  metrics?: GatewayMetrics;
  now?: () => number;
  /** Jitter source for retries (default seeded from the OS). */
  random?: Random;
  /** Backoff waits (default a real, abortable sleep). */
  sleep?: (ms: number, signal?: CancelSignal) => Promise<void>;
  timers?: TimerFunctions;
  /**
   * Whether requests without a key are served when no key exists. `startGateway` allows it only on
   * loopback addresses; in-process use (`app.request`) defaults to true.
   */
  openAccess?: boolean;
  logger?: GatewayLogger;
  /** Default: read from `config.admin.keyEnv` in `process.env`. */
  adminKey?: AdminKey;
}

/** How long the "do keys exist?" answer is trusted before the store is asked again. */
const keyCountCacheMs = 1_000;

/**
 * Builds the gateway's services from the config. Touches no file, port or timer until used:
 * `startGatewayFromConfig` passes a SQLite store and the install's key hasher, tests pass fakes.
 *
 * @example
 * const services = createGatewayServices(config, { store, keyHasher });
 * const app = createGateway(config, { engine, services });
 */
export function createGatewayServices(config: GatewayConfig, deps: GatewayServicesDeps = {}): GatewayServices {
  const now = deps.now ?? Date.now;
  const store = deps.store ?? createMemoryStore();
  const metrics = deps.metrics ?? createGatewayMetrics();
  const coordination = deps.coordination ?? createLocalCoordination({ store, now });
  if (store.droppedRecords) registerDroppedRecordsMetric(metrics, store.droppedRecords);
  let keyCountCheckedUntil = Number.NEGATIVE_INFINITY;
  let keysExist = false;
  const keyService = createApiKeyService({ store, hasher: deps.keyHasher ?? createApiKeyHasher(randomBytes(32).toString("hex")), now, revocations: coordination.revocations });
  // Keys created or revoked through the gateway's own service take effect at once.
  const keys: ApiKeyService = {
    ...keyService,
    create: async (input) => {
      const created = await keyService.create(input);
      keyCountCheckedUntil = Number.NEGATIVE_INFINITY;
      return created;
    },
    revoke: async (idOrName) => {
      const revoked = await keyService.revoke(idOrName);
      keyCountCheckedUntil = Number.NEGATIVE_INFINITY;
      return revoked;
    },
  };
  const breakers = createCircuitBreakers({
    config: config.resilience.breaker,
    repository: coordination.breakers,
    now,
    onChange: (target, phase, previous) => {
      metrics.setBreakerPhase(target, phase);
      deps.logger?.warn({ target, phase, previous }, `circuit breaker of ${target}: ${previous} -> ${phase}`);
    },
    onStoreError: (error) => deps.logger?.error({ error: error instanceof Error ? error.message : String(error) }, "circuit-breaker state could not be shared through the store"),
  });
  for (const target of config.targets) metrics.setBreakerPhase(target.id, "closed");
  const policy = createRetryPolicy(config.resilience.retry, deps.random ?? createRandom(randomInt(2 ** 31)));
  const executor = createFallbackExecutor({ policy, breakers, now, sleep: deps.sleep ?? abortableSleep });
  const traces = config.traces.enabled
    ? createTraceWriter({
        repository: store.traces,
        ...(store.journal ? { journalPosition: () => store.journal?.position() ?? 0 } : {}),
        flushIntervalMs: config.traces.flushIntervalMs,
        ...(store.traces.writeBatch === undefined ? {} : { maxBatch: store.traces.writeBatch, maxSlice: store.traces.writeBatch }),
        timers: deps.timers,
        onError: (error, dropped) => deps.logger?.error({ dropped, error: error instanceof Error ? error.message : String(error) }, "traces could not be written"),
      })
    : undefined;
  const openAccess = deps.openAccess ?? true;
  const adminKey = deps.adminKey ?? createAdminKey({ keyEnv: config.admin.keyEnv });
  const refreshKeysExist = async (): Promise<boolean> => {
    if (!keysExist && now() >= keyCountCheckedUntil) {
      // Whether keys exist is re-read at most once a second: a first key created by the CLI is
      // enforced within a second, without a store query on every request. Revoked keys count and
      // keys are never deleted, so once a key exists the answer stays yes: revoking the last key
      // does not open the gateway.
      keysExist = (await keys.countAll()) > 0;
      keyCountCheckedUntil = now() + keyCountCacheMs;
    }
    return keysExist;
  };
  // Deterministic sampling: every (1 / rate)-th rejected request, so a flood stores a bounded share.
  const sampleRate = config.traces.sampleRejected;
  let rejectedSeen = 0;

  return {
    store,
    keys,
    coordination,
    limiter: coordination.rateLimiter,
    budgets: createBudgetGuard({ store, now, ledger: coordination.budgets, lowBudgetFraction: config.limits.lowBudgetFraction, spreadOverRequests: config.limits.spreadOverRequests }),
    breakers,
    executor,
    traces,
    metrics,
    lifecycle: { draining: false },
    adminKey,
    keysExist: refreshKeysExist,
    keysKnownToExist: () => keysExist,
    async authenticate(header) {
      if (!(await refreshKeysExist())) {
        if (openAccess) return null;
        throw new SwitchyardError("unauthorized", "No API key exists yet and the gateway is not on a loopback address: create one with `switchyard keys create`");
      }
      return keys.authenticate(presentedKeyOf(header));
    },
    sampleRejectedTrace() {
      if (sampleRate <= 0) return false;
      rejectedSeen++;
      return Math.floor(rejectedSeen * sampleRate) > Math.floor((rejectedSeen - 1) * sampleRate);
    },
    async flush() {
      await Promise.all([traces?.flush(), breakers.flush()]);
    },
  };
}

/** `switchyard_store_dropped_records_total{kind}`: records a bounded store (memory) dropped to stay within its cap. */
function registerDroppedRecordsMetric(metrics: GatewayMetrics, droppedRecords: () => { traces: number; contexts: number }): void {
  if (metrics.registry.getSingleMetric("switchyard_store_dropped_records_total")) return;
  new Counter({
    name: "switchyard_store_dropped_records_total",
    help: "Records the memory store dropped (oldest first) to stay within store.maxTraces, by kind (trace, learning_context).",
    labelNames: ["kind"],
    registers: [metrics.registry],
    collect() {
      const dropped = droppedRecords();
      this.reset();
      this.inc({ kind: "trace" }, dropped.traces);
      this.inc({ kind: "learning_context" }, dropped.contexts);
    },
  });
}
