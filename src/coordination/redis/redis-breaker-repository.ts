import type { Redis } from "ioredis";
import type { BreakerState } from "../../stores/breaker-state.js";
import type { BreakerStateRepository } from "../../stores/store.js";
import type { RedisOutage } from "./redis-outage.js";

/**
 * Circuit-breaker phases and cooldowns in one Redis hash (target id → state as JSON), read by every
 * instance every `resilience.breaker.syncIntervalMs`; the newest `updatedAt` wins, as with the store.
 * While Redis is down each instance's breakers keep working on their own (reads return nothing new,
 * writes are dropped: the next change after the outage is shared again).
 */
export function createRedisBreakerRepository(options: { redis: Redis; outage: RedisOutage; prefix: string }): BreakerStateRepository {
  const { redis, outage } = options;
  const key = `${options.prefix}breakers`;
  return {
    async all() {
      try {
        const entries = await redis.hgetall(key);
        outage.succeeded();
        return Object.values(entries).map((text) => JSON.parse(text) as BreakerState);
      } catch (error) {
        outage.failed("circuit-breaker sync", error);
        return [];
      }
    },
    async put(state) {
      try {
        await redis.hset(key, state.targetId, JSON.stringify(state));
        outage.succeeded();
      } catch (error) {
        outage.failed("circuit-breaker share", error);
      }
    },
  };
}
