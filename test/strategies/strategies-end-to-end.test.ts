import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Hono } from "hono";
import OpenAI from "openai";
import type { Decision } from "../../src/core/decision.js";
import type { RoutingEngine } from "../../src/core/routing-engine.js";
import { parseChatCompletionRequest } from "../../src/gateway/chat-request.js";
import { parseConfig, type GatewayConfig } from "../../src/gateway/config.js";
import { errorResponse } from "../../src/gateway/error-response.js";
import { silentLogger } from "../../src/gateway/gateway-logger.js";
import { listen, type RunningServer } from "../../src/gateway/serve.js";
import { createUpstreamClient, type UpstreamClient } from "../../src/providers/upstream-client.js";
import { createUpstreamChatCaller } from "../../src/strategies/chat-caller.js";
import { strategiesConfigSchema } from "../../src/strategies/strategy-config.js";
import { createStrategyHandler, type StrategyHandler } from "../../src/strategies/strategy-handler.js";
import type { StrategyResult } from "../../src/strategies/strategy-trace.js";
import { startReplayUpstream } from "../../src/testing/replay-upstream.js";
import { replayAnswers, replayExamples, replayPrompts } from "../fixtures/replay-examples.js";
import { collectStream, scriptedServer } from "../gateway-strategies/gateway-strategies-kit.js";

const cheapId = "mistralai/mistral-7b-chat";
const strongId = "gpt-4-1106-preview";

/**
 * What the lead wires into routes/chat-completions.ts: when `strategies.handles(request.model)`, run the
 * strategy with a per-request caller over the gateway's upstream client; errors go through errorResponse.
 */
function strategyApp(handler: StrategyHandler, config: GatewayConfig, upstreamClient: UpstreamClient, results: StrategyResult[]): Hono {
  const app = new Hono();
  app.post("/v1/chat/completions", async (c) => {
    try {
      const body = parseChatCompletionRequest(await c.req.json());
      if (!handler.handles(body.model)) throw new Error("not a strategy");
      const caller = createUpstreamChatCaller({ upstreamClient, upstreams: config.upstreams, requestId: "req-1" });
      const { response, result } = await handler.respond({ body, caller, signal: c.req.raw.signal, requestId: "req-1", headers: { "x-request-id": "req-1" } });
      results.push(result);
      return response;
    } catch (error) {
      return errorResponse(error, { logger: silentLogger });
    }
  });
  return app;
}

describe("strategies end to end (openai client → strategy handler → replay + scripted judge/aggregator upstreams)", () => {
  const servers: RunningServer[] = [];
  const judgeSeen: string[] = [];
  const aggregatorSeen: string[] = [];
  const results: StrategyResult[] = [];
  let upstreamClient: UpstreamClient;
  let client: OpenAI;
  let routedClient: OpenAI;

  before(async () => {
    const replay = await startReplayUpstream({ examples: replayExamples });
    // The judge fails answers that are a lone letter "A" (the cheap model's wrong ARC answer), passes the rest.
    const judgeServer = await scriptedServer((content) => (/### Answer\nA\n/.test(content) ? "2" : "9"), judgeSeen);
    const aggregatorServer = await scriptedServer((content) => `fused from ${(content.match(/^\d+\. /gm) ?? []).length} answers`, aggregatorSeen);
    servers.push(replay, judgeServer, aggregatorServer);
    const config = parseConfig(
      {
        upstreams: [
          { name: "replay", baseUrl: `${replay.url}/v1` },
          { name: "judge", baseUrl: `${judgeServer.url}/v1` },
          { name: "aggregator", baseUrl: `${aggregatorServer.url}/v1` },
        ],
        targets: [
          { id: cheapId, upstream: "replay", inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.2 },
          { id: strongId, upstream: "replay", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
          { id: "judge-model", upstream: "judge", inputUsdPerMTok: 0.5, outputUsdPerMTok: 0.5 },
          { id: "aggregator-model", upstream: "aggregator", inputUsdPerMTok: 1, outputUsdPerMTok: 1 },
        ],
      },
      "e2e.yaml",
    );
    upstreamClient = createUpstreamClient({ upstreams: config.upstreams });
    const strategies = strategiesConfigSchema.parse({
      cascade: { ladder: [{ target: cheapId, threshold: 0.7 }, { target: strongId }], scorer: { kind: "judge", target: "judge-model", latencyBudgetMs: 5000 } },
      fanOut: { models: [cheapId, strongId], mode: "best", judge: { target: "judge-model" } },
    });
    const handler = createStrategyHandler({ config: strategies, targets: config.targets });
    const server = await listen(strategyApp(handler, config, upstreamClient, results).fetch, 0, "127.0.0.1");
    servers.push(server);
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "unused", maxRetries: 0 });

    // Router-chosen ladder and fan-out models, with fusion, through a stub routing engine.
    const engine: RoutingEngine = {
      routerName: "stub",
      targets: config.targets,
      async decide(): Promise<Decision> {
        const candidates = [
          { model: strongId, predictedQuality: 0.9, predictedCostUsd: 0.001, objective: 2 },
          { model: cheapId, predictedQuality: 0.6, predictedCostUsd: 0.00001, objective: 1 },
        ];
        return { model: strongId, router: "stub", willingnessToPay: 1, candidates, decisionMs: 0 };
      },
    };
    const routed = createStrategyHandler({
      config: strategiesConfigSchema.parse({
        cascade: { router: { maxSteps: 2, threshold: 0.7 }, scorer: { kind: "judge", target: "judge-model" } },
        fanOut: { k: 2, mode: "fuse", aggregator: { target: "aggregator-model" } },
      }),
      targets: config.targets,
      engine,
    });
    const routedServer = await listen(strategyApp(routed, config, upstreamClient, results).fetch, 0, "127.0.0.1");
    servers.push(routedServer);
    routedClient = new OpenAI({ baseURL: `${routedServer.url}/v1`, apiKey: "unused", maxRetries: 0 });
  });

  after(async () => {
    await upstreamClient.close();
    for (const server of servers) await server.close();
  });

  test("cascade escalates a wrong cheap answer to the strong model, and keeps a good cheap one", async () => {
    const escalated = await client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.arc }] });
    assert.equal(escalated.choices[0]?.message.content, replayAnswers.arcStrong);
    assert.equal(escalated.model, strongId);
    const trace = results[results.length - 1]?.trace ?? [];
    assert.deepEqual(trace.map((entry) => [entry.role, entry.model, entry.outcome]), [
      ["answer", cheapId, "escalated"],
      ["score", cheapId, "answered"],
      ["answer", strongId, "final"],
    ]);
    assert.equal(trace[1]?.score, 0.2);

    const kept = await client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.mbpp }] });
    assert.equal(kept.choices[0]?.message.content, replayAnswers.mbppCheap);
    assert.equal(kept.model, cheapId);
    assert.equal(results[results.length - 1]?.stoppedBecause, "accepted");
    assert.ok(judgeSeen.some((content) => content.includes(replayPrompts.mbpp)), "the judge saw the prompt");
  });

  test("cascade with stream: true emits only the final answer as SSE chunks, usage included on request", async () => {
    const stream = await client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.arc }], stream: true, stream_options: { include_usage: true } });
    const { text, models, usage } = await collectStream(stream);
    assert.equal(text, replayAnswers.arcStrong);
    assert.deepEqual([...models], [strongId]);
    assert.ok((usage?.total_tokens ?? 0) > 0);
  });

  test("fan-out best: both models answer, the judge's best answer wins, the response carries the trace and cost", async () => {
    const { data, response } = await client.chat.completions.create({ model: "fan-out", messages: [{ role: "user", content: replayPrompts.arc }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, replayAnswers.arcStrong);
    assert.equal(response.headers.get("x-switchyard-strategy"), "fan-out");
    assert.equal(response.headers.get("x-switchyard-model"), strongId);
    assert.equal(response.headers.get("x-switchyard-calls"), "4");
    const trace = (data as unknown as { switchyard: { trace: Array<{ role: string; costUsd: number }>; costUsd: number } }).switchyard;
    assert.equal(trace.trace.filter((entry) => entry.role === "answer").length, 2);
    assert.ok(Math.abs(trace.costUsd - trace.trace.reduce((sum, entry) => sum + entry.costUsd, 0)) < 1e-15);
    assert.ok(trace.costUsd > 0);
  });

  test("router-chosen ladder (cheap → strong) and fan-out with fusion by an aggregator model", async () => {
    const cascaded = await routedClient.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.arc }] });
    assert.equal(cascaded.choices[0]?.message.content, replayAnswers.arcStrong);
    assert.deepEqual(results[results.length - 1]?.trace.filter((entry) => entry.role === "answer").map((entry) => entry.model), [cheapId, strongId]);

    const fused = await routedClient.chat.completions.create({ model: "fan-out", messages: [{ role: "user", content: replayPrompts.arc }] });
    assert.equal(fused.choices[0]?.message.content, "fused from 2 answers");
    assert.equal(fused.model, "aggregator-model");
    const lastAggregatorPrompt = aggregatorSeen[aggregatorSeen.length - 1] ?? "";
    assert.ok(lastAggregatorPrompt.includes("1. B) carbon dioxide") || lastAggregatorPrompt.includes("2. B) carbon dioxide"), lastAggregatorPrompt);
    assert.ok(lastAggregatorPrompt.includes(replayPrompts.arc));
  });

  test("a failing strategy answers with an OpenAI-shaped error", async () => {
    await assert.rejects(client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: "a prompt nobody recorded" }] }), (error: unknown) => error instanceof OpenAI.APIError && (error.status ?? 0) >= 400);
  });
});

describe("strategiesConfigSchema", () => {
  test("is strict and names the path of a typo; fan-out mode needs its judge or aggregator", () => {
    const typo = strategiesConfigSchema.safeParse({ cascade: { ladder: [{ target: "a" }], scorer: { kind: "judge", target: "j", latencyBudget: 5 } } });
    assert.equal(typo.success, false);
    assert.match(JSON.stringify(typo.error?.issues), /latencyBudget/);
    const missing = strategiesConfigSchema.safeParse({ fanOut: { mode: "fuse" } });
    assert.equal(missing.success, false);
    assert.deepEqual(missing.error?.issues[0]?.path, ["fanOut", "aggregator"]);
    const ok = strategiesConfigSchema.parse({ cascade: { ladder: [{ target: "a" }, { target: "b", threshold: 1 }], costCapUsd: 0.01, scorer: { kind: "self-consistency" } } });
    assert.equal(ok.cascade?.stepTimeoutMs, 30_000);
    assert.equal(ok.cascade?.ladder?.[0]?.threshold, 0.5);
  });

  test("createStrategyHandler rejects unknown targets and a learned scorer without a router", () => {
    const config = strategiesConfigSchema.parse({ cascade: { ladder: [{ target: "nope" }], scorer: { kind: "learned" } } });
    assert.throws(() => createStrategyHandler({ config, targets: [] }), /strategies\.cascade\.ladder\[0\]\.target: unknown target "nope"/);
  });
});
