import type { GatewayLogger } from "../gateway/gateway-logger.js";
import type { Store } from "../stores/store.js";
import type { CoordinationConfig } from "./coordination-config.js";
import type { Coordination } from "./coordination.js";
import { createLocalCoordination } from "./local-coordination.js";

/**
 * The coordination a config names: Redis for `coordination: redis://…` (ioredis is imported only then),
 * else the single-process one.
 */
export async function openCoordination(config: CoordinationConfig | undefined, options: { store: Store; logger?: GatewayLogger; now?: () => number }): Promise<Coordination> {
  if (config === undefined) return createLocalCoordination({ store: options.store, now: options.now ?? Date.now });
  const { createRedisCoordination } = await import("./redis/redis-coordination.js");
  return createRedisCoordination({ config, store: options.store, logger: options.logger });
}
