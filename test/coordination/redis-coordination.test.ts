import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { costUsdOf } from "../../src/core/target.js";
import { worstCaseOf } from "../../src/limits/worst-case-cost.js";
import { requestNeedsOf } from "../../src/providers/request-needs.js";
import { createApiKeyHasher } from "../../src/limits/api-key-hasher.js";
import { createRedisCoordination } from "../../src/coordination/redis/redis-coordination.js";
import { coordinationObjectSchema } from "../../src/coordination/coordination-config.js";
import type { Coordination } from "../../src/coordination/coordination.js";
import type { GatewayLogger } from "../../src/gateway/gateway-logger.js";
import type { GatewayServer } from "../../src/gateway/serve.js";
import { createMemoryStore } from "../../src/stores/memory/memory-store.js";
import type { Store } from "../../src/stores/store.js";
import { closeAll, productionConfig, scriptedUpstreams, startProductionGateway } from "../gateway-production/production-kit.js";
import type { ScriptedUpstream } from "../gateway-production/scripted-upstream.js";
import { redisSkip, startPrivateRedis, type PrivateRedis } from "../helpers/redis-server.js";

/** Instances of one deployment share the key pepper. */
const sharedHasher = createApiKeyHasher("p".repeat(32));
const messages = [{ role: "user" as const, content: "hello there" }];

/** A logger that keeps its lines (to count outage logs). */
function recordingLogger(): GatewayLogger & { lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  return {
    lines,
    info: (fields, message) => lines.push({ level: "info", message, fields }),
    warn: (fields, message) => lines.push({ level: "warn", message, fields }),
    error: (fields, message) => lines.push({ level: "error", message, fields }),
  };
}

/** The shared durable store, as instances sharing a database see it, minus `keys.revision()` (so only pub/sub can tell them of a revocation). */
function sharedStoreWithoutRevision(): Store {
  const store = createMemoryStore();
  const { revision: _unused, ...keys } = store.keys;
  return Object.assign(Object.create(Object.getPrototypeOf(store) as object) as Store, store, { keys });
}

describe("Redis coordination across gateway instances (a real redis-server)", { skip: redisSkip, timeout: 60_000 }, () => {
  let redis: PrivateRedis;
  before(async () => {
    redis = await startPrivateRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  const startInstances = async (count: number, options: { upstreams: Record<string, ScriptedUpstream>; store: Store; onFailure?: Record<string, string>; prefix: string; logger?: GatewayLogger }) => {
    const config = productionConfig(options.upstreams, { coordination: { url: redis.url, prefix: options.prefix, commandTimeoutMs: 300, ...(options.onFailure ? { onFailure: options.onFailure } : {}) } });
    const gateways: GatewayServer[] = [];
    const coordinations: Coordination[] = [];
    for (let i = 0; i < count; i++) {
      const coordination = await createRedisCoordination({ config: coordinationObjectSchema.parse(config.coordination), store: options.store, logger: options.logger });
      coordinations.push(coordination);
      gateways.push((await startProductionGateway(config, { store: options.store, coordination, logger: options.logger, keyHasher: sharedHasher })).gateway);
    }
    const close = async () => {
      for (const gateway of gateways) await gateway.close();
      for (const coordination of coordinations) await coordination.close();
      await closeAll(undefined, options.upstreams);
    };
    return { config, gateways, close };
  };

  test("rate limit: 5 requests per minute over 3 instances, 15 requests → exactly 5 admitted, the rest 429 rate_limited", async () => {
    const store = createMemoryStore();
    const { gateways, close } = await startInstances(3, { upstreams: await scriptedUpstreams("a"), store, prefix: "t-rate:" });
    try {
      const { key } = await gateways[0]!.services.keys.create({ name: "five", rpm: 5 });
      const results = await Promise.allSettled(
        Array.from({ length: 15 }, (_, index) => new OpenAI({ baseURL: `${gateways[index % 3]!.url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: "a", messages, max_tokens: 10 })),
      );
      assert.equal(results.filter((result) => result.status === "fulfilled").length, 5);
      for (const result of results) {
        if (result.status === "fulfilled") continue;
        assert.ok(result.reason instanceof OpenAI.RateLimitError, String(result.reason));
        assert.equal(result.reason.code, "rate_limited");
        assert.ok(Number(result.reason.headers?.get("retry-after")) > 50, "the window is a minute: the next slot is about a minute away");
      }
    } finally {
      await close();
    }
  });

  test("budget: a key affording 10 requests, 30 concurrent over 3 instances → exactly 10 served, ledger = their costs, nothing left reserved", async () => {
    const store = createMemoryStore();
    const upstreams = await scriptedUpstreams("a");
    const { config, gateways, close } = await startInstances(3, { upstreams, store, prefix: "t-budget:" });
    try {
      const perRequest = costUsdOf(config.targets[0]!, 3, 100);
      // Each request reserves its worst case (as in keys-limits-budgets.test.ts): ten of them fit.
      const reserved = worstCaseOf(requestNeedsOf({ messages, max_tokens: 100 }), config.targets[0]!, { defaultMaxOutputTokens: 4096 }).costUsd;
      const affordable = reserved * 10;
      const { key, record } = await gateways[0]!.services.keys.create({ name: "ten", budgetUsd: affordable, budgetPeriod: "day" });
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, (_, index) => new OpenAI({ baseURL: `${gateways[index % 3]!.url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: "a", messages, max_tokens: 100 }).withResponse()),
      );
      const served = results.filter((result) => result.status === "fulfilled");
      for (const result of results) {
        if (result.status === "fulfilled") continue;
        assert.ok(result.reason instanceof OpenAI.RateLimitError, String(result.reason));
        assert.equal(result.reason.code, "budget_exceeded");
      }
      const answeredCost = served.reduce((sum, result) => sum + Number(result.value.response.headers.get("x-switchyard-cost-usd")), 0);
      assert.equal(served.length, 10);
      assert.equal(upstreams.a?.seen.length, 10, "refused requests never reach the upstream");
      await new Promise((resolve) => setTimeout(resolve, 50));
      const stored = await store.usage.totals(record.id, (await gateways[1]!.services.budgets.reserve(record, 0)).periodStart);
      assert.ok(Math.abs(stored.spentUsd - answeredCost) < 1e-6 * served.length, `ledger ${stored.spentUsd} vs answered ${answeredCost}`);
      assert.ok(stored.spentUsd <= affordable + perRequest);
      const shared = await gateways[2]!.services.budgets.totals(record);
      assert.equal(shared.reservedUsd, 0);
      assert.ok(Math.abs(shared.spentUsd - stored.spentUsd) < 1e-9);
    } finally {
      await close();
    }
  });

  test("revocation on one instance stops the key on the others within 1 s (pub/sub, no store revision)", async () => {
    const store = sharedStoreWithoutRevision();
    const { gateways, close } = await startInstances(2, { upstreams: await scriptedUpstreams("a"), store, prefix: "t-revoke:" });
    try {
      const { key } = await gateways[0]!.services.keys.create({ name: "soon-revoked" });
      const other = new OpenAI({ baseURL: `${gateways[1]!.url}/v1`, apiKey: key, maxRetries: 0 });
      await other.chat.completions.create({ model: "a", messages, max_tokens: 5 });
      await gateways[0]!.services.keys.revoke("soon-revoked");
      const revokedAt = Date.now();
      let refusedAfterMs: number | undefined;
      while (Date.now() - revokedAt < 2_000) {
        try {
          await other.chat.completions.create({ model: "a", messages, max_tokens: 5 });
        } catch (error) {
          assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
          refusedAfterMs = Date.now() - revokedAt;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.ok(refusedAfterMs !== undefined && refusedAfterMs < 1_000, `refused after ${refusedAfterMs} ms`);
    } finally {
      await close();
    }
  });

  test("Redis down: budgets fail closed (503 coordination_unavailable), rate limits fail open, one log line per outage, recovery by itself", async () => {
    const store = createMemoryStore();
    const logger = recordingLogger();
    const { gateways, close } = await startInstances(1, { upstreams: await scriptedUpstreams("a"), store, prefix: "t-down:", logger });
    const gateway = gateways[0]!;
    try {
      const budgeted = await gateway.services.keys.create({ name: "budgeted", budgetUsd: 10, budgetPeriod: "day" });
      const limited = await gateway.services.keys.create({ name: "limited", rpm: 1_000 });
      const budgetClient = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: budgeted.key, maxRetries: 0 });
      const limitClient = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: limited.key, maxRetries: 0 });
      await budgetClient.chat.completions.create({ model: "a", messages, max_tokens: 5 });
      await redis.kill();
      for (let i = 0; i < 5; i++) {
        await assert.rejects(budgetClient.chat.completions.create({ model: "a", messages, max_tokens: 5 }), (error: unknown) => {
          assert.ok(error instanceof OpenAI.InternalServerError, String(error));
          assert.equal(error.status, 503);
          assert.equal(error.code, "coordination_unavailable");
          assert.equal(error.headers?.get("retry-after"), "1");
          return true;
        });
        await limitClient.chat.completions.create({ model: "a", messages, max_tokens: 5 });
      }
      const outageLines = logger.lines.filter((line) => line.message.startsWith("redis coordination unavailable"));
      assert.equal(outageLines.length, 1, "one line per outage, not per request");
      assert.doesNotMatch(JSON.stringify(logger.lines), /sy-[A-Za-z0-9]{32}/);
      await redis.start();
      const restartedAt = Date.now();
      let recovered = false;
      while (Date.now() - restartedAt < 5_000 && !recovered) {
        recovered = await budgetClient.chat.completions.create({ model: "a", messages, max_tokens: 5 }).then(() => true, () => false);
        if (!recovered) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.ok(recovered, "served again within 5 s of Redis coming back");
      assert.equal(logger.lines.filter((line) => line.message === "redis coordination recovered").length, 1);
      // Redis came back empty: the budget was re-seeded from the store's ledger, which has every answered request.
      const record = (await gateway.services.keys.list()).find((entry) => entry.name === "budgeted")!;
      const shared = await gateway.services.budgets.totals(record);
      const stored = await store.usage.totals(record.id, (await gateway.services.budgets.reserve(record, 0)).periodStart);
      assert.ok(Math.abs(shared.spentUsd - stored.spentUsd) < 1e-9 && stored.spentUsd > 0);
    } finally {
      await close();
    }
  });

  test("a dead instance's reservation is released after coordination.reservationExpiryMs", async () => {
    const store = createMemoryStore();
    const coordination = await createRedisCoordination({ config: coordinationObjectSchema.parse({ url: redis.url, prefix: "t-expiry:", reservationExpiryMs: 1_000 }), store });
    try {
      const held = await coordination.budgets.reserve({ keyId: "k", periodStart: 0, amountUsd: 0.3, limitUsd: 0.5, reservationId: "dies-with-its-instance" });
      assert.equal(held.ok, true);
      assert.equal((await coordination.budgets.reserve({ keyId: "k", periodStart: 0, amountUsd: 0.3, limitUsd: 0.5, reservationId: "second" })).ok, false);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const totals = await coordination.budgets.totals("k", 0);
      assert.equal(totals.reservedUsd, 0);
      assert.equal((await coordination.budgets.reserve({ keyId: "k", periodStart: 0, amountUsd: 0.3, limitUsd: 0.5, reservationId: "third" })).ok, true);
    } finally {
      await coordination.close();
    }
  });

  test("start-up errors name coordination.url and never print the password", async () => {
    const secured = await startPrivateRedis({ password: "s3cret-pass" });
    try {
      const wrong = secured.url.replace("s3cret-pass", "wrong-pass");
      await assert.rejects(createRedisCoordination({ config: coordinationObjectSchema.parse({ url: wrong }), store: createMemoryStore(), connectTimeoutMs: 2_000 }), (error: Error & { code?: string }) => {
        assert.equal(error.code, "invalid_config");
        assert.match(error.message, /coordination\.url/);
        assert.match(error.message, /credentials/);
        assert.doesNotMatch(error.message, /wrong-pass|s3cret/);
        return true;
      });
      const closedPort = `redis://user:hidden-pass@127.0.0.1:${secured.port + 1 === 65_536 ? 1 : secured.port + 1}`;
      await assert.rejects(createRedisCoordination({ config: coordinationObjectSchema.parse({ url: closedPort }), store: createMemoryStore(), connectTimeoutMs: 1_000 }), (error: Error) => {
        assert.match(error.message, /coordination\.url: cannot connect/);
        assert.doesNotMatch(error.message, /hidden-pass/);
        return true;
      });
      const right = await createRedisCoordination({ config: coordinationObjectSchema.parse({ url: secured.url }), store: createMemoryStore() });
      await right.close();
    } finally {
      await secured.stop();
    }
  });
});
