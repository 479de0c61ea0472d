import type { Redis } from "ioredis";
import { admitScript, correctTokensScript, reserveScript, settleScript } from "./redis-scripts.js";

/** A Redis connection with the coordination's scripts defined (EVALSHA, re-sent as EVAL after a Redis restart). */
export interface RedisCommands {
  readonly redis: Redis;
  admit(requestsKey: string, tokensKey: string, rpm: number, tpm: number, tokens: number, member: string): Promise<[number, number]>;
  correctTokens(tokensKey: string, tpm: number, difference: number): Promise<number>;
  reserve(budgetKey: string, expiriesKey: string, amountNano: number, limitNano: number, reservationId: string, expiryMs: number, seedNano: string, keyTtlMs: number): Promise<[number, number, number]>;
  settle(budgetKey: string, expiriesKey: string, reservationId: string, actualNano: number): Promise<[number, number]>;
}

interface ScriptedRedis {
  syAdmit(...args: Array<string | number>): Promise<[number, number]>;
  syCorrectTokens(...args: Array<string | number>): Promise<number>;
  syReserve(...args: Array<string | number>): Promise<[number, number, number]>;
  sySettle(...args: Array<string | number>): Promise<[number, number]>;
}

/** Defines the scripts on `redis` (ioredis `defineCommand`) and types them. */
export function defineRedisCommands(redis: Redis): RedisCommands {
  redis.defineCommand("syAdmit", { numberOfKeys: 2, lua: admitScript });
  redis.defineCommand("syCorrectTokens", { numberOfKeys: 1, lua: correctTokensScript });
  redis.defineCommand("syReserve", { numberOfKeys: 2, lua: reserveScript });
  redis.defineCommand("sySettle", { numberOfKeys: 2, lua: settleScript });
  const scripted = redis as unknown as ScriptedRedis;
  return {
    redis,
    admit: (requestsKey, tokensKey, rpm, tpm, tokens, member) => scripted.syAdmit(requestsKey, tokensKey, rpm, tpm, tokens, member),
    correctTokens: (tokensKey, tpm, difference) => scripted.syCorrectTokens(tokensKey, tpm, difference),
    reserve: (budgetKey, expiriesKey, amountNano, limitNano, reservationId, expiryMs, seedNano, keyTtlMs) =>
      scripted.syReserve(budgetKey, expiriesKey, amountNano, limitNano, reservationId, expiryMs, seedNano, keyTtlMs),
    settle: (budgetKey, expiriesKey, reservationId, actualNano) => scripted.sySettle(budgetKey, expiriesKey, reservationId, actualNano),
  };
}
