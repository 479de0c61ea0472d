import { SwitchyardError } from "../../core/errors.js";
import type { GatewayLogger } from "../../gateway/gateway-logger.js";

/**
 * Watches whether Redis answers: the first failure of an outage is logged (error), the first success
 * after it is logged (info), nothing in between — an outage at a thousand requests per second must not
 * write a thousand lines per second.
 */
export interface RedisOutage {
  /** Whether the last operation failed (until one succeeds). */
  readonly down: boolean;
  /** Records a failed operation; returns the `coordination_unavailable` error to throw when the policy refuses. */
  failed(what: string, error: unknown): SwitchyardError;
  /** Records a successful operation. */
  succeeded(): void;
  /** Called once per outage when it ends (settlements queued during it are replayed). */
  onRecovered(listener: () => void): void;
}

/** Options of {@link createRedisOutage}. */
export interface RedisOutageOptions {
  logger?: GatewayLogger;
  /** Where Redis is, without credentials (see `redactedRedisUrl`). */
  endpoint: string;
  now?: () => number;
}

/** Builds a {@link RedisOutage} tracker. */
export function createRedisOutage(options: RedisOutageOptions): RedisOutage {
  const now = options.now ?? Date.now;
  let down = false;
  let since = 0;
  let failures = 0;
  const listeners: Array<() => void> = [];
  return {
    get down() {
      return down;
    },
    failed(what, error) {
      failures++;
      if (!down) {
        down = true;
        since = now();
        options.logger?.error({ redis: options.endpoint, error: errorMessageOf(error) }, `redis coordination unavailable (${what}); following coordination.onFailure until it answers again`);
      }
      return new SwitchyardError("coordination_unavailable", "The gateway's shared coordination store (Redis) is unavailable; retry shortly", { retryAfterSeconds: 1, cause: error });
    },
    succeeded() {
      if (!down) return;
      down = false;
      options.logger?.info({ redis: options.endpoint, outageMs: now() - since, failedOperations: failures }, "redis coordination recovered");
      failures = 0;
      for (const listener of listeners) listener();
    },
    onRecovered(listener) {
      listeners.push(listener);
    },
  };
}

/** A Redis error's message with any `redis://user:password@` part removed (ioredis puts URLs in some). */
export function errorMessageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/(rediss?:\/\/)[^@/\s]*@/gi, "$1***@");
}
