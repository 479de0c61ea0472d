import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import OpenAI from "openai";
import { request } from "undici";
import { costUsdOf } from "../../src/core/target.js";
import { worstCaseOf } from "../../src/limits/worst-case-cost.js";
import { requestNeedsOf } from "../../src/providers/request-needs.js";
import { createApiKeyHasher, loadPepper } from "../../src/limits/api-key-hasher.js";
import { createSqliteStore } from "../../src/stores/sqlite/sqlite-store.js";
import { closeAll, productionConfig, scriptedUpstreams, startProductionGateway } from "./production-kit.js";

const dir = mkdtempSync(join(tmpdir(), "switchyard-restart-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const messages = [{ role: "user" as const, content: "hello there" }];

describe("persistence and lifecycle", { timeout: 60_000 }, () => {
  test("traces, feedback, key usage and budgets survive a restart", async () => {
    const upstreams = await scriptedUpstreams("a");
    const config = productionConfig(upstreams, { traces: { storeText: true, flushIntervalMs: 1_000 } });
    const path = join(dir, "data", "switchyard.db");
    const hasher = () => createApiKeyHasher(loadPepper({ env: {}, path: join(dir, "data", "key-pepper") }));
    const perRequest = costUsdOf(config.targets[0]!, 3, 10);

    const first = await startProductionGateway(config, { store: createSqliteStore({ path }), ownsStore: true, keyHasher: hasher() });
    // A failure before the restart must still close the first gateway and the upstreams, or the test
    // process keeps their sockets open and never exits.
    const failed = async (error: unknown): Promise<never> => {
      await closeAll(first.gateway, upstreams).catch(() => undefined);
      throw error;
    };
    // Three requests spent, then room for exactly one more reservation (the worst case: byte-bound prompt, 10 output tokens).
    const reserved = worstCaseOf(requestNeedsOf({ messages, max_tokens: 10 }), config.targets[0]!, { defaultMaxOutputTokens: 4096 }).costUsd;
    const { key, record } = await first.gateway.services.keys.create({ name: "persistent", budgetUsd: perRequest * 3 + reserved, budgetPeriod: "total" });
    const requestId = await (async () => {
      const client = new OpenAI({ baseURL: `${first.gateway.url}/v1`, apiKey: key, maxRetries: 0 });
      const { response } = await client.chat.completions.create({ model: "auto", messages, max_tokens: 10 }).withResponse();
      const id = response.headers.get("x-request-id") as string;
      const stream = await client.chat.completions.create({ model: "auto", messages, max_tokens: 10, stream: true });
      for await (const _chunk of stream) void _chunk;
      await client.chat.completions.create({ model: "auto", messages, max_tokens: 10 });
      const feedback = await request(`${first.gateway.url}/v1/feedback`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ request_id: id, score: 0.8, label: "good" }),
      });
      assert.equal(feedback.statusCode, 200, "feedback flushes the pending trace first");
      assert.deepEqual(await feedback.body.json(), { object: "feedback", request_id: id, score: 0.8, label: "good" });
      return id;
    })().catch(failed);
    await first.gateway.shutdown();

    const second = await startProductionGateway(config, { store: createSqliteStore({ path }), ownsStore: true, keyHasher: hasher() });
    try {
      const traces = await second.gateway.services.store.traces.list();
      assert.equal(traces.length, 3);
      const traced = await second.gateway.services.store.traces.get(requestId);
      assert.deepEqual(traced?.feedback, { score: 0.8, label: "good", createdAt: traced?.feedback?.createdAt });
      assert.equal(traced?.keyId, record.id);
      assert.equal(traced?.prompt, "hello there");
      assert.equal(traced?.response, "scripted answer");
      assert.ok(Math.abs((traced?.costUsd ?? 0) - perRequest) < 1e-12);
      assert.equal(traces.find((trace) => trace.stream)?.response, "scripted answer");
      const totals = await second.gateway.services.budgets.totals(record);
      assert.equal(totals.requests, 3);
      assert.equal(totals.reservedUsd, 0);
      assert.ok(Math.abs(totals.spentUsd - perRequest * 3) < 1e-9);

      const again = new OpenAI({ baseURL: `${second.gateway.url}/v1`, apiKey: key, maxRetries: 0 });
      await again.chat.completions.create({ model: "auto", messages, max_tokens: 10 });
      await assert.rejects(again.chat.completions.create({ model: "auto", messages, max_tokens: 10 }), (error: unknown) => error instanceof OpenAI.RateLimitError && error.code === "budget_exceeded");
    } finally {
      await closeAll(second.gateway, upstreams);
    }
  });

  test("graceful shutdown: stops accepting, lets an in-flight stream finish, flushes its trace", async () => {
    const upstreams = await scriptedUpstreams("a");
    upstreams.a?.script("slow-stream");
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams, { traces: { flushIntervalMs: 60_000 } }));
    try {
      const stream = await client.chat.completions.create({ model: "auto", messages, max_tokens: 5, stream: true });
      const received: string[] = [];
      let shutdown: Promise<{ cutOff: number }> | undefined;
      for await (const chunk of stream) {
        received.push(chunk.choices[0]?.delta.content ?? "");
        if (shutdown === undefined && received.length === 2) {
          shutdown = gateway.shutdown(5_000);
          await new Promise((resolve) => setTimeout(resolve, 20));
          await assert.rejects(fetch(`${gateway.url}/healthz`), "no new connections while draining");
        }
      }
      assert.equal(received.join(""), "p0 p1 p2 p3 p4 p5 p6 p7 ");
      assert.deepEqual(await shutdown, { cutOff: 0 });
      const [trace] = await gateway.services.store.traces.list();
      assert.equal(trace?.status, 200, "the stream's trace was flushed on shutdown");
      assert.equal(trace?.outputTokens, 5);
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("shutdown deadline: a stream longer than the grace period is cut off; the client is not left hanging", async () => {
    const upstreams = await scriptedUpstreams("a");
    upstreams.a!.chunkDelayMs = 500;
    upstreams.a?.script("slow-stream");
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams));
    try {
      const stream = await client.chat.completions.create({ model: "auto", messages, stream: true });
      const started = Date.now();
      const shutdown = gateway.shutdown(100);
      await assert.rejects(async () => {
        for await (const _chunk of stream) void _chunk;
      });
      assert.deepEqual(await shutdown, { cutOff: 1 });
      assert.ok(Date.now() - started < 2_000);
      const [trace] = await gateway.services.store.traces.list();
      assert.equal(trace?.status, 499, "recorded as cut off by the client side");
    } finally {
      await closeAll(gateway, upstreams);
    }
  });

  test("metrics, readiness and draining answers", async () => {
    const upstreams = await scriptedUpstreams("a");
    const { gateway, client } = await startProductionGateway(productionConfig(upstreams));
    try {
      await client.chat.completions.create({ model: "auto", messages, max_tokens: 7 });
      await client.chat.completions.create({ model: "nope", messages }).catch(() => undefined);
      const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
      assert.match(metrics, /switchyard_requests_total\{endpoint="\/v1\/chat\/completions",model="a",status="200",key="open"\} 1/);
      assert.match(metrics, /switchyard_requests_total\{endpoint="\/v1\/chat\/completions",model="other",status="404",key="open"\} 1/);
      assert.match(metrics, /switchyard_tokens_total\{model="a",key="open",kind="completion"\} 7/);
      assert.match(metrics, /switchyard_cost_usd_total\{model="a",key="open"\} /);
      assert.match(metrics, /switchyard_routing_decision_duration_seconds_count\{router="ordered"\} 1/);
      assert.match(metrics, /switchyard_upstream_duration_seconds_count\{target="a",outcome="ok"\} 1/);
      assert.match(metrics, /switchyard_in_flight_requests 0/);
      assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);
      gateway.services.lifecycle.draining = true;
      const ready = await fetch(`${gateway.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.equal(((await ready.json()) as { status: string }).status, "draining");
      await assert.rejects(client.chat.completions.create({ model: "auto", messages }), (error: unknown) => error instanceof OpenAI.APIError && error.status === 503 && error.code === "unavailable");
    } finally {
      await closeAll(gateway, upstreams);
    }
  });
});
