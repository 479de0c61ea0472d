import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { parseConfig } from "../../src/gateway/config.js";
import type { CompletionRecord } from "../../src/gateway/gateway-context.js";
import { startGateway, type GatewayServer, type RunningServer } from "../../src/gateway/serve.js";
import { startReplayUpstream } from "../../src/testing/replay-upstream.js";
import { replayAnswers, replayExamples, replayPrompts } from "../fixtures/replay-examples.js";
import { collectStream, priciestEngine, scriptedServer } from "./gateway-strategies-kit.js";

const cheapId = "mistralai/mistral-7b-chat";
const strongId = "gpt-4-1106-preview";

describe("cascade and fan-out through the production gateway (openai client → startGateway → replay + scripted judge)", () => {
  const servers: RunningServer[] = [];
  const judgeSeen: string[] = [];
  const records: CompletionRecord[] = [];
  const logLines: Array<{ fields: Record<string, unknown>; message: string }> = [];
  let client: OpenAI;

  before(async () => {
    const replay = await startReplayUpstream({ examples: replayExamples });
    // The judge fails the cheap model's lone "A" (its wrong ARC answer) and passes everything else.
    const judge = await scriptedServer((content) => (/### Answer\nA\n/.test(content) ? "2" : "9"), judgeSeen);
    servers.push(replay, judge);
    const config = parseConfig(
      {
        upstreams: [
          { name: "replay", baseUrl: `${replay.url}/v1` },
          { name: "judge", baseUrl: `${judge.url}/v1` },
        ],
        targets: [
          { id: cheapId, upstream: "replay", inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.2 },
          { id: strongId, upstream: "replay", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
          { id: "judge-model", upstream: "judge", inputUsdPerMTok: 0.5, outputUsdPerMTok: 0.5 },
        ],
        strategies: {
          cascade: { ladder: [{ target: cheapId, threshold: 0.7 }, { target: strongId }], scorer: { kind: "judge", target: "judge-model", latencyBudgetMs: 5000 } },
          fanOut: { models: [cheapId, strongId], mode: "best", judge: { target: "judge-model" } },
        },
      },
      "strategies.yaml",
    );
    const logger = {
      info: (fields: Record<string, unknown>, message: string) => logLines.push({ fields, message }),
      warn() {},
      error() {},
    };
    const gateway = await startGateway({ config, engine: priciestEngine(config.targets), port: 0, logger, onCompletion: (record) => records.push(record) });
    servers.push(gateway);
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
  });

  after(async () => {
    for (const server of servers.reverse()) await server.close();
  });

  test("model cascade escalates on a low judge grade and returns the strong model's recorded answer", async () => {
    const { data, response } = await client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.arc }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, replayAnswers.arcStrong);
    assert.equal(data.model, strongId);
    assert.equal(response.headers.get("x-switchyard-strategy"), "cascade");
    assert.equal(response.headers.get("x-switchyard-model"), strongId);
    assert.ok(response.headers.get("x-request-id"));
    const cost = Number(response.headers.get("x-switchyard-cost-usd"));
    assert.ok(cost > 0);
    assert.ok(judgeSeen.some((content) => content.includes(replayPrompts.arc)), "the judge graded the cheap answer");
    const line = logLines.find((entry) => entry.message === "strategy");
    assert.ok(line, "the sub-call trace is logged");
    assert.deepEqual((line.fields.trace as Array<{ role: string; model: string }>).map((entry) => [entry.role, entry.model]), [
      ["answer", cheapId],
      ["score", cheapId],
      ["answer", strongId],
    ]);

    const record = records[records.length - 1];
    assert.equal(record?.targetId, strongId);
    assert.ok((record?.usage?.completion_tokens ?? 0) > 0);

    const kept = await client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.mbpp }] });
    assert.equal(kept.choices[0]?.message.content, replayAnswers.mbppCheap);
    assert.equal(kept.model, cheapId);
  });

  test("model cascade with stream: true sends the strong model's answer as SSE", async () => {
    const stream = await client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: replayPrompts.arc }], stream: true, stream_options: { include_usage: true } });
    const { text, models, usage } = await collectStream(stream);
    assert.equal(text, replayAnswers.arcStrong);
    assert.deepEqual([...models], [strongId]);
    assert.ok((usage?.total_tokens ?? 0) > 0);
  });

  test("model fan-out (best) returns the answer the judge grades best", async () => {
    const { data, response } = await client.chat.completions.create({ model: "fan-out", messages: [{ role: "user", content: replayPrompts.arc }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, replayAnswers.arcStrong);
    assert.equal(response.headers.get("x-switchyard-strategy"), "fan-out");
    assert.equal(response.headers.get("x-switchyard-model"), strongId);
    assert.equal(response.headers.get("x-switchyard-calls"), "4");
  });

  test("a failing strategy answers with an OpenAI-shaped error through the gateway", async () => {
    await assert.rejects(
      client.chat.completions.create({ model: "cascade", messages: [{ role: "user", content: "a prompt nobody recorded" }] }),
      (error: unknown) => error instanceof OpenAI.APIError && (error.status ?? 0) >= 400 && typeof error.code === "string",
    );
  });
});

describe("fan-out with fusion, models chosen by the router under a cost cap, through the production gateway", () => {
  const servers: RunningServer[] = [];
  const aggregatorSeen: string[] = [];
  let gateway: GatewayServer;
  let client: OpenAI;

  before(async () => {
    const replay = await startReplayUpstream({ examples: replayExamples });
    const aggregator = await scriptedServer((content) => `fused from ${(content.match(/^\d+\. /gm) ?? []).length} answers`, aggregatorSeen);
    servers.push(replay, aggregator);
    const config = parseConfig(
      {
        upstreams: [
          { name: "replay", baseUrl: `${replay.url}/v1` },
          { name: "aggregator", baseUrl: `${aggregator.url}/v1` },
        ],
        targets: [
          { id: cheapId, upstream: "replay", inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.2 },
          { id: strongId, upstream: "replay", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
          { id: "aggregator-model", upstream: "aggregator", inputUsdPerMTok: 1, outputUsdPerMTok: 1 },
        ],
        traces: { flushIntervalMs: 50 },
        strategies: { fanOut: { k: 2, costCapUsd: 0.05, mode: "fuse", aggregator: { target: "aggregator-model" } } },
      },
      "fuse.yaml",
    );
    gateway = await startGateway({ config, engine: priciestEngine(config.targets.filter((target) => target.id !== "aggregator-model")), port: 0 });
    servers.push(gateway);
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
  });

  after(async () => {
    for (const server of servers.reverse()) await server.close();
  });

  test("the aggregator fuses the router-chosen answers; the stored trace has every answer and the fusion with their costs", async () => {
    const { data, response } = await client.chat.completions.create({ model: "fan-out", messages: [{ role: "user", content: replayPrompts.arc }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, "fused from 2 answers");
    assert.equal(data.model, "aggregator-model");
    const lastPrompt = aggregatorSeen[aggregatorSeen.length - 1] ?? "";
    assert.ok(lastPrompt.includes(replayAnswers.arcStrong) && lastPrompt.includes(replayPrompts.arc), lastPrompt);
    await gateway.services.flush();
    const trace = await gateway.services.store.traces.get(response.headers.get("x-request-id") ?? "");
    assert.ok(trace, "the trace is stored");
    assert.deepEqual(trace.attempts.map((attempt) => [attempt.role, attempt.target]), [
      ["answer", strongId],
      ["answer", cheapId],
      ["aggregate", "aggregator-model"],
    ]);
    assert.ok(trace.attempts.every((attempt) => (attempt.costUsd ?? 0) > 0));
    const sum = trace.attempts.reduce((total, attempt) => total + (attempt.costUsd ?? 0), 0);
    assert.ok(Math.abs(sum - (trace.costUsd ?? -1)) < 1e-12);
  });
});

describe("gateway config: strategies", () => {
  const base = { upstreams: [{ name: "u", baseUrl: "http://127.0.0.1:9/v1" }], targets: [{ id: "a", inputUsdPerMTok: 1, outputUsdPerMTok: 1 }] };

  test("a target named cascade or fan-out is rejected with its path", () => {
    assert.throws(() => parseConfig({ ...base, targets: [...base.targets, { id: "fan-out", inputUsdPerMTok: 1, outputUsdPerMTok: 1 }] }, "s.yaml"), /s\.yaml: targets\.1\.id: "fan-out" is reserved/);
    assert.throws(() => parseConfig({ ...base, targets: [{ id: "cascade", inputUsdPerMTok: 1, outputUsdPerMTok: 1 }] }, "s.yaml"), /targets\.0\.id: "cascade" is reserved/);
  });

  test("the learned scorer is accepted by the gateway config; a typo in strategies names its path", () => {
    assert.equal(parseConfig({ ...base, strategies: { cascade: { ladder: [{ target: "a" }], scorer: { kind: "learned" } } } }, "s.yaml").strategies.cascade?.scorer.kind, "learned");
    assert.throws(() => parseConfig({ ...base, strategies: { cascade: { ladder: [{ target: "a" }], scorer: { kind: "learned", threshold: 1 } } } }, "s.yaml"), /strategies\.cascade\.scorer: unknown field "threshold"/);
    assert.throws(() => parseConfig({ ...base, strategies: { cascade: { ladder: [{ target: "a" }], scorer: { kind: "judge", target: "a", latencyBudget: 1 } } } }, "s.yaml"), /strategies\.cascade\.scorer: unknown field "latencyBudget"/);
  });
});
