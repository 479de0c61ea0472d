import { randomBytes } from "node:crypto";
import type { Redis, RedisOptions } from "ioredis";
import { SwitchyardError } from "../../core/errors.js";
import { importOptional } from "../../core/optional-dependency.js";
import type { GatewayLogger } from "../../gateway/gateway-logger.js";
import type { Store } from "../../stores/store.js";
import { redactedRedisUrl, type CoordinationConfig } from "../coordination-config.js";
import type { Coordination } from "../coordination.js";
import { createRedisBreakerRepository } from "./redis-breaker-repository.js";
import { createRedisBroadcast } from "./redis-broadcast.js";
import { createRedisBudgetLedger } from "./redis-budget-ledger.js";
import { defineRedisCommands } from "./redis-commands.js";
import { createRedisOutage, errorMessageOf } from "./redis-outage.js";
import { createRedisRateLimiter } from "./redis-rate-limiter.js";

/** Options of {@link createRedisCoordination}. */
export interface RedisCoordinationOptions {
  config: CoordinationConfig;
  /** The durable store: its usage ledger books real costs and seeds budgets. */
  store: Store;
  logger?: GatewayLogger;
  /** How long start-up waits for the first connection (default 5000 ms). */
  connectTimeoutMs?: number;
}

/**
 * Connects to Redis (`coordination: redis://…`) and builds the shared {@link Coordination}: rate limits,
 * budget reservations, breaker cooldowns and broadcasts (key revocations, learning) for every instance
 * that names the same Redis and prefix. Start-up fails with `invalid_config` naming `coordination.url`
 * when Redis cannot be reached or refuses the credentials (the password is never printed); once started,
 * an outage follows `coordination.onFailure`, is logged once, and ends by itself when Redis answers
 * (ioredis reconnects with a backoff capped at one second).
 *
 * @example
 * const coordination = await createRedisCoordination({ config: { url: "redis://127.0.0.1:6379", ... }, store });
 */
export async function createRedisCoordination(options: RedisCoordinationOptions): Promise<Coordination> {
  const { config, store, logger } = options;
  const ioredis = await importOptional(["ioredis"], "coordination: redis://", () => import("ioredis"), "or remove the coordination setting (one process)");
  const endpoint = redactedRedisUrl(config.url);
  const outage = createRedisOutage({ logger, endpoint });
  const connectionOptions: RedisOptions = {
    // Fail fast while disconnected (the policy decides), instead of queueing requests until Redis is back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: Math.max(config.commandTimeoutMs, 1_000),
    retryStrategy: (attempt: number) => Math.min(50 * attempt, 1_000),
    lazyConnect: true,
  };
  const redis: Redis = new ioredis.Redis(config.url, connectionOptions);
  // Pub/sub needs its own connection; it may queue its SUBSCRIBE until connected.
  const subscriber: Redis = new ioredis.Redis(config.url, { ...connectionOptions, enableOfflineQueue: true, commandTimeout: undefined });
  let connected = false;
  let connectError: unknown;
  for (const connection of [redis, subscriber]) {
    connection.on("error", (error: unknown) => {
      // Before start-up succeeded, the error is start-up's (WRONGPASS arrives here, the promise only says "closed").
      if (connected) outage.failed("connection", error);
      else connectError ??= error;
    });
  }
  redis.on("ready", () => outage.succeeded());
  try {
    await withTimeout(Promise.all([redis.connect(), subscriber.connect()]), options.connectTimeoutMs ?? 5_000);
  } catch (error) {
    redis.disconnect();
    subscriber.disconnect();
    const message = errorMessageOf(connectError ?? error);
    const credentials = /WRONGPASS|NOAUTH|invalid password|invalid username/i.test(message);
    throw new SwitchyardError(
      "invalid_config",
      credentials ? `coordination.url: Redis at ${endpoint} refused the credentials (${message})` : `coordination.url: cannot connect to Redis at ${endpoint} (${message})`,
      { param: "coordination.url" },
    );
  }
  connected = true;
  const commands = defineRedisCommands(redis);
  const instanceId = randomBytes(6).toString("hex");
  const revocations = createRedisBroadcast({ redis, subscriber, outage, channel: `${config.prefix}revocations` });
  const learning = createRedisBroadcast({ redis, subscriber, outage, channel: `${config.prefix}learning` });
  await subscriber.subscribe(`${config.prefix}revocations`, `${config.prefix}learning`);
  const budgets = createRedisBudgetLedger({ commands, outage, ledger: store.usage, prefix: config.prefix, reservationExpiryMs: config.reservationExpiryMs, onFailure: config.onFailure.budgets });
  return {
    kind: "redis",
    rateLimiter: createRedisRateLimiter({ commands, outage, prefix: config.prefix, onFailure: config.onFailure.rateLimits, instanceId }),
    budgets,
    breakers: createRedisBreakerRepository({ redis, outage, prefix: config.prefix }),
    revocations,
    learning,
    shared: true,
    async close() {
      if (budgets.queuedSettlements > 0) logger?.warn({ settlements: budgets.queuedSettlements }, "settlements booked in the store but not in Redis (it was down); Redis counts them again once these key-periods are re-seeded");
      await Promise.allSettled([redis.quit(), subscriber.quit()]);
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
