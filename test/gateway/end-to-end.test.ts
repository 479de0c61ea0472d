import assert from "node:assert/strict";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from "openai/resources/chat/completions";
import { parseConfig } from "../../src/gateway/config.js";
import type { GatewayConfig } from "../../src/gateway/config.js";
import type { CompletionRecord } from "../../src/gateway/gateway-context.js";
import { startGateway } from "../../src/gateway/serve.js";
import type { RunningServer } from "../../src/gateway/serve.js";
import { startReplayUpstream } from "../../src/testing/index.js";
import { replayAnswers, replayExamples, replayPrompts } from "../fixtures/replay-examples.js";
import { stubEngine } from "./gateway-test-kit.js";

/** Switchyard's request extensions, which the SDK passes through as extra body fields. */
type Routed<T> = T & { quality?: number; allowed_models?: string[] };

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("end to end: openai SDK → gateway → replay upstream (real sockets)", () => {
  let replay: RunningServer;
  let gateway: RunningServer;
  let client: OpenAI;
  let config: GatewayConfig;
  const records: CompletionRecord[] = [];

  before(async () => {
    replay = await startReplayUpstream({ examples: replayExamples });
    config = parseConfig(
      {
        upstreams: [
          { name: "replay", baseUrl: `${replay.url}/v1` },
          { name: "down", baseUrl: `http://127.0.0.1:${await closedPort()}/v1`, timeoutMs: 2000 },
        ],
        targets: [
          { id: "gpt-4-1106-preview", upstream: "replay", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
          { id: "mistral-7b", upstream: "replay", upstreamModel: "mistralai/mistral-7b-chat", inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.2 },
          { id: "offline-model", upstream: "down", inputUsdPerMTok: 1, outputUsdPerMTok: 1 },
        ],
      },
      "e2e.yaml",
    );
    gateway = await startGateway({ config, engine: stubEngine(config), port: 0, onCompletion: (record) => records.push(record) });
    client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: "test", maxRetries: 0 });
  });
  after(async () => {
    await gateway.close();
    await replay.close();
  });

  test("model auto, plain: the routed model's recorded answer and the decision headers", async () => {
    const params: Routed<ChatCompletionCreateParamsNonStreaming> = { model: "auto", quality: 0.9, messages: [{ role: "user", content: replayPrompts.arc }] };
    const { data, response } = await client.chat.completions.create(params).withResponse();
    assert.equal(data.choices[0]?.message.content, replayAnswers.arcStrong);
    assert.equal(data.model, "gpt-4-1106-preview");
    assert.deepEqual(data.usage, { prompt_tokens: 21, completion_tokens: 4, total_tokens: 25 });
    assert.equal(response.headers.get("x-switchyard-model"), "gpt-4-1106-preview");
    assert.equal(response.headers.get("x-switchyard-router"), "stub");
    assert.equal(response.headers.get("x-switchyard-predicted-quality"), "0.8765");
    assert.equal(response.headers.get("x-switchyard-predicted-cost-usd"), "0.00123457");
    assert.equal(response.headers.get("x-switchyard-decision-ms"), "0.250");
    assert.ok(response.headers.get("x-request-id"));
  });

  test("a fixed target, plain: routing bypassed, upstreamModel mapped, the answer names the target", async () => {
    const { data, response } = await client.chat.completions.create({ model: "mistral-7b", messages: [{ role: "user", content: replayPrompts.mbpp }] }).withResponse();
    assert.equal(data.choices[0]?.message.content, replayAnswers.mbppCheap);
    assert.equal(data.model, "mistral-7b");
    assert.equal(response.headers.get("x-switchyard-model"), "mistral-7b");
    assert.equal(response.headers.get("x-switchyard-router"), "fixed");
  });

  test("model auto, streaming: the SDK reassembles the recorded answer; no usage chunk it did not ask for", async () => {
    const params: Routed<ChatCompletionCreateParamsStreaming> = { model: "auto", quality: 0.1, stream: true, messages: [{ role: "user", content: replayPrompts.mbpp }] };
    const { data: stream, response } = await client.chat.completions.create(params).withResponse();
    assert.equal(response.headers.get("x-switchyard-model"), "mistral-7b");
    assert.equal(response.headers.get("x-switchyard-router"), "stub");
    assert.equal(response.headers.get("x-switchyard-predicted-quality"), "0.5");
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join(""), replayAnswers.mbppCheap);
    assert.ok(chunks.every((chunk) => chunk.choices.length === 1 && chunk.model === "mistral-7b"));
    const record = records.find((entry) => entry.stream && entry.targetId === "mistral-7b");
    assert.ok(record?.usage !== undefined && (record.usage.total_tokens ?? 0) > 0, "the gateway still saw the usage");
  });

  test("a fixed target, streaming with include_usage: the usage chunk arrives", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-4-1106-preview",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: replayPrompts.mbpp }],
    });
    let text = "";
    let usage: ChatCompletionChunk["usage"];
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, replayAnswers.mbppStrong);
    assert.equal(usage?.completion_tokens, Math.ceil(replayAnswers.mbppStrong.length / 4));
  });

  test("the streaming helper of the SDK works too", async () => {
    const runner = client.chat.completions.stream({ model: "gpt-4-1106-preview", messages: [{ role: "user", content: replayPrompts.winogrande }] });
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0]?.message.content, replayAnswers.winograndeStrong);
  });

  test("errors surface as the SDK's error classes with the right status and code", async () => {
    const unknownModel = client.chat.completions.create({ model: "gpt-9", messages: [{ role: "user", content: "hi" }] });
    await assert.rejects(unknownModel, (error: unknown) => error instanceof OpenAI.NotFoundError && error.status === 404 && error.code === "model_not_found");

    const unknownPrompt = client.chat.completions.create({ model: "gpt-4-1106-preview", messages: [{ role: "user", content: "never recorded" }] });
    // The replay upstream's 404 is the upstream's, not a missing gateway route: a 502 naming it, its code kept.
    await assert.rejects(unknownPrompt, (error: unknown) => error instanceof OpenAI.InternalServerError && error.status === 502 && error.code === "upstream_error" && (error.error as { upstream_code?: string }).upstream_code === "unknown_prompt");

    const badBody = client.chat.completions.create({ model: "auto", messages: [] });
    await assert.rejects(badBody, (error: unknown) => error instanceof OpenAI.BadRequestError && error.status === 400 && error.param === "messages");

    const noCandidates: Routed<ChatCompletionCreateParamsNonStreaming> = { model: "auto", allowed_models: [], messages: [{ role: "user", content: "hi" }] };
    await assert.rejects(client.chat.completions.create(noCandidates), (error: unknown) => error instanceof OpenAI.UnprocessableEntityError && error.code === "no_candidates");

    const offline = client.chat.completions.create({ model: "offline-model", messages: [{ role: "user", content: "hi" }] });
    await assert.rejects(offline, (error: unknown) => {
      assert.ok(error instanceof OpenAI.InternalServerError);
      assert.equal(error.status, 502);
      assert.equal(error.code, "upstream_error");
      assert.ok(error.requestID, "the SDK sees x-request-id");
      return true;
    });
  });

  test("GET /v1/models through the SDK lists auto and the targets", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids, ["auto", "gpt-4-1106-preview", "mistral-7b", "offline-model"]);
    const one = await client.models.retrieve("mistral-7b");
    assert.equal(one.id, "mistral-7b");
  });

  test("oversized bodies are refused with 413 before parsing", async () => {
    const huge = "x".repeat(config.server.maxBodyBytes + 1);
    await assert.rejects(
      client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: huge }] }),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === 413 && error.code === "payload_too_large",
    );
  });
});
