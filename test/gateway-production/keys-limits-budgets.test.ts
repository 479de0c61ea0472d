import assert from "node:assert/strict";
import { describe, test } from "node:test";
import OpenAI from "openai";
import { costUsdOf } from "../../src/core/target.js";
import { worstCaseOf } from "../../src/limits/worst-case-cost.js";
import { requestNeedsOf } from "../../src/providers/request-needs.js";
import { orderedEngine } from "./scripted-upstream.js";
import { closeAll, productionConfig, scriptedUpstreams, startProductionGateway } from "./production-kit.js";

const messages = [{ role: "user" as const, content: "hello there" }];

describe("keys, rate limits and budgets through the SDK", { timeout: 60_000 }, () => {
  test("budgets hold under concurrency: 50 concurrent requests, a key that affords 10 → exactly 10 served", async () => {
    const upstreams = await scriptedUpstreams("a");
    const config = productionConfig(upstreams);
    const { gateway } = await startProductionGateway(config);
    try {
      // "hello there" is 3 estimated prompt tokens; the upstream reports exactly that and max_tokens completion tokens.
      const perRequest = costUsdOf(config.targets[0]!, 3, 100);
      // Each request reserves its worst case: the prompt's byte bound (target "a" has no OpenAI tokenizer) and 100 output tokens.
      const reserved = worstCaseOf(requestNeedsOf({ messages, max_tokens: 100 }), config.targets[0]!, { defaultMaxOutputTokens: 4096 }).costUsd;
      assert.ok(reserved > perRequest);
      const { key } = await gateway.services.keys.create({ name: "ten", budgetUsd: reserved * 10, budgetPeriod: "day" });
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
      const results = await Promise.allSettled(Array.from({ length: 50 }, () => client.chat.completions.create({ model: "auto", messages, max_tokens: 100 }).withResponse()));
      const served = results.filter((result) => result.status === "fulfilled");
      const refused = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
      assert.equal(served.length, 10);
      assert.equal(refused.length, 40);
      for (const { reason } of refused) {
        assert.ok(reason instanceof OpenAI.RateLimitError, String(reason));
        assert.equal(reason.status, 429);
        assert.equal(reason.code, "budget_exceeded");
        assert.equal(reason.type, "insufficient_quota");
        assert.ok(Number(reason.headers?.get("retry-after")) > 0);
        assert.equal(reason.headers?.get("x-should-retry"), "false");
      }
      const first = served[0];
      assert.ok(first?.status === "fulfilled");
      assert.equal(Number(first.value.response.headers.get("x-switchyard-cost-usd")), Number(perRequest.toPrecision(6)));
      await new Promise((resolve) => setTimeout(resolve, 20));
      const record = (await gateway.services.keys.list())[0]!;
      const totals = await gateway.services.budgets.totals(record);
      assert.equal(totals.requests, 10);
      assert.ok(Math.abs(totals.spentUsd - perRequest * 10) < 1e-9);
      assert.equal(totals.reservedUsd, 0);
      assert.equal(upstreams.a?.seen.length, 10, "refused requests never reach the upstream");
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("401 without a valid key once keys exist; 403 for a model the key may not use; auto stays within its models", async () => {
    const upstreams = await scriptedUpstreams("a", "b");
    const { gateway, client: open } = await startProductionGateway(productionConfig(upstreams));
    try {
      assert.equal((await open.chat.completions.create({ model: "auto", messages })).model, "a", "no keys: open on loopback");
      const { key } = await gateway.services.keys.create({ name: "only-b", models: ["b"] });
      await assert.rejects(open.chat.completions.create({ model: "auto", messages }), (error: unknown) => error instanceof OpenAI.AuthenticationError && error.code === "unauthorized");
      await assert.rejects(open.models.list(), (error: unknown) => error instanceof OpenAI.AuthenticationError);
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
      await assert.rejects(client.chat.completions.create({ model: "a", messages }), (error: unknown) => error instanceof OpenAI.PermissionDeniedError && error.code === "forbidden" && error.param === "model");
      assert.equal((await client.chat.completions.create({ model: "auto", messages })).model, "b");
      assert.equal((await client.chat.completions.create({ model: "b", messages })).model, "b");
      await gateway.services.keys.revoke("only-b");
      await assert.rejects(client.chat.completions.create({ model: "b", messages }), (error: unknown) => error instanceof OpenAI.AuthenticationError);
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("rpm: the next request is 429 rate_limited with retry-after", async () => {
    const upstreams = await scriptedUpstreams("a");
    const { gateway } = await startProductionGateway(productionConfig(upstreams));
    try {
      const { key } = await gateway.services.keys.create({ name: "slow", rpm: 2 });
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
      await client.chat.completions.create({ model: "auto", messages });
      await client.chat.completions.create({ model: "auto", messages });
      await assert.rejects(client.chat.completions.create({ model: "auto", messages }), (error: unknown) => {
        assert.ok(error instanceof OpenAI.RateLimitError);
        assert.equal(error.code, "rate_limited");
        const retryAfter = Number(error.headers?.get("retry-after"));
        assert.ok(retryAfter >= 29 && retryAfter <= 30, `retry-after ${retryAfter}`);
        assert.equal(error.headers?.get("x-should-retry"), null, "the SDK may retry a rate limit");
        return true;
      });
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("a key close to its budget is routed cheaper (routing cost cap from the remaining budget)", async () => {
    const upstreams = await scriptedUpstreams("premium", "cheap");
    const config = productionConfig(upstreams);
    const engine = orderedEngine(config.targets, { predictedCostUsd: (target) => (target.id === "premium" ? 0.01 : 0.0001) });
    const { gateway } = await startProductionGateway(config, { engine });
    try {
      const { key, record } = await gateway.services.keys.create({ name: "nearly-spent", budgetUsd: 1 });
      const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key, maxRetries: 0 });
      assert.equal((await client.chat.completions.create({ model: "auto", messages, max_tokens: 5 })).model, "premium");
      assert.equal(engine.constraints.at(-1)?.maxCostUsd !== undefined, true);
      const reservation = await gateway.services.budgets.reserve(record, 0.85);
      await gateway.services.budgets.settle(reservation, { costUsd: 0.85, inputTokens: 0, outputTokens: 0 });
      // 15% left (< 20%): the cap is remaining / 50 ≈ $0.003, below premium's predicted $0.01.
      assert.equal((await client.chat.completions.create({ model: "auto", messages, max_tokens: 5 })).model, "cheap");
      assert.ok(Math.abs((engine.constraints.at(-1)?.maxCostUsd ?? 0) - 0.15 / 50) < 1e-4);
      await gateway.services.flush();
      const [trace] = await gateway.services.store.traces.list();
      assert.ok(trace?.decision?.maxCostUsd !== undefined && trace.decision.maxCostUsd < 0.004, "the cap is in the trace");
    } finally {
      await closeAll(gateway, upstreams);
    }
  });
});
