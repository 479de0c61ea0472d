import type { Redis } from "ioredis";
import type { Broadcast } from "../coordination.js";
import type { RedisOutage } from "./redis-outage.js";

/**
 * A {@link Broadcast} over Redis pub/sub: `publish` on the command connection, every instance listening
 * on one shared subscriber connection. Pub/sub delivers only to connected subscribers, so when the
 * subscriber reconnects the listeners are told that messages may have been missed (`undefined`).
 */
export function createRedisBroadcast(options: { redis: Redis; subscriber: Redis; outage: RedisOutage; channel: string }): Broadcast {
  const { redis, subscriber, outage, channel } = options;
  const listeners: Array<(message: string | undefined) => void> = [];
  subscriber.on("message", (from: string, message: string) => {
    if (from !== channel) return;
    for (const listener of listeners) listener(message);
  });
  let subscribedOnce = subscriber.status === "ready";
  subscriber.on("ready", () => {
    // ioredis re-subscribes by itself after a reconnect; what was published meanwhile is lost.
    if (subscribedOnce) for (const listener of listeners) listener(undefined);
    subscribedOnce = true;
  });
  return {
    async publish(message) {
      try {
        await redis.publish(channel, message);
        outage.succeeded();
      } catch (error) {
        outage.failed(`publish on ${channel}`, error);
      }
    },
    subscribe(listener) {
      listeners.push(listener);
    },
  };
}
