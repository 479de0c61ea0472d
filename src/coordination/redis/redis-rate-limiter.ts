import { SwitchyardError } from "../../core/errors.js";
import type { RateLimiter } from "../../limits/rate-limiter.js";
import type { RedisCommands } from "./redis-commands.js";
import type { RedisOutage } from "./redis-outage.js";

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  commands: RedisCommands;
  outage: RedisOutage;
  prefix: string;
  /** `coordination.onFailure.rateLimits`. */
  onFailure: "fail-open" | "fail-closed";
  /** Unique per process: sorted-set members of two instances admitted in the same millisecond must differ. */
  instanceId: string;
}

/**
 * Rate limits shared by every instance (one Lua script per request, `admitScript`): `rpm` is a sliding
 * window — at most `rpm` requests of a key in any 60 s, over all instances together — and `tpm` a token
 * bucket with the in-process limiter's debt model. While Redis is down, requests are admitted
 * (`fail-open`, default) or refused with 503 `coordination_unavailable` (`fail-closed`).
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const { commands, outage, prefix } = options;
  let counter = 0;
  const requestsKeyOf = (keyId: string) => `${prefix}{rl:${keyId}}:requests`;
  const tokensKeyOf = (keyId: string) => `${prefix}{rl:${keyId}}:tokens`;
  return {
    admit(keyId, limits, tokens) {
      if (limits.rpm === null && limits.tpm === null) return;
      const member = `${options.instanceId}:${(counter++).toString(36)}`;
      return commands.admit(requestsKeyOf(keyId), tokensKeyOf(keyId), limits.rpm ?? -1, limits.tpm ?? -1, Math.max(0, Math.round(tokens)), member).then(
        ([verdict, waitMs]) => {
          outage.succeeded();
          if (verdict === 0) return;
          const seconds = Math.max(1, Math.ceil(waitMs / 1000));
          const [what, limit] = verdict === 1 ? ["requests", limits.rpm] : ["tokens", limits.tpm];
          throw new SwitchyardError("rate_limited", `Rate limit reached: ${limit} ${what} per minute; retry in ${seconds} s`, { retryAfterSeconds: seconds });
        },
        (error: unknown) => {
          const refused = outage.failed("rate limit", error);
          if (options.onFailure === "fail-closed") throw refused;
        },
      );
    },
    correctTokens(keyId, limits, estimatedTokens, actualTokens) {
      if (limits.tpm === null || actualTokens === estimatedTokens) return;
      commands.correctTokens(tokensKeyOf(keyId), limits.tpm, Math.round(actualTokens - estimatedTokens)).then(
        () => outage.succeeded(),
        (error: unknown) => void outage.failed("token correction", error),
      );
    },
  };
}
