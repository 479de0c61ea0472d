import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createGateway } from "../../src/gateway/create-gateway.js";
import type { CompletionRecord } from "../../src/gateway/gateway-context.js";
import { chatRequest, completion, fakeUpstream, jsonAnswer, recordingLogger, streamAnswer, stubEngine, testConfig } from "./gateway-test-kit.js";

const messages = [{ role: "user", content: "What is 2 + 2?" }];

function setup(options: { defaultQuality?: number } = {}) {
  const config = testConfig(options);
  const engine = stubEngine(config);
  const upstream = fakeUpstream((request) => jsonAnswer(completion(String(request.body.model), `answer from ${request.target.id}`)));
  const records: CompletionRecord[] = [];
  const app = createGateway(config, { engine, upstreamClient: upstream, now: () => 1_700_000_000_000, onCompletion: (record) => records.push(record) });
  return { config, engine, upstream, app, records };
}

describe("POST /v1/chat/completions (non-streaming)", () => {
  test("model auto routes, forwards without Switchyard's fields, and answers with decision headers", async () => {
    const { app, engine, upstream, records } = setup();
    const response = await app.request(
      "/v1/chat/completions",
      chatRequest({ model: "auto", messages, quality: 0.9, allowed_models: ["gpt-4-1106-preview", "mistral-7b"], temperature: 0.2, user: "u1" }),
    );
    assert.equal(response.status, 200);
    const body = (await response.json()) as { model: string; choices: { message: { content: string } }[] };
    assert.equal(body.model, "gpt-4-1106-preview");
    assert.equal(body.choices[0]?.message.content, "answer from gpt-4-1106-preview");
    assert.equal(response.headers.get("x-switchyard-model"), "gpt-4-1106-preview");
    assert.equal(response.headers.get("x-switchyard-router"), "stub");
    assert.equal(response.headers.get("x-switchyard-predicted-quality"), "0.8765");
    assert.equal(response.headers.get("x-switchyard-predicted-cost-usd"), "0.00123457");
    assert.equal(response.headers.get("x-switchyard-decision-ms"), "0.250");
    assert.match(response.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);

    assert.deepEqual(engine.queries[0]?.options, { allowedModels: ["gpt-4-1106-preview", "mistral-7b"], quality: 0.9 });
    assert.deepEqual(engine.queries[0]?.messages, messages);
    const sent = upstream.requests[0]?.body ?? {};
    // The output cap always goes upstream (limits.defaultMaxOutputTokens when the client sets none).
    assert.deepEqual(sent, { model: "gpt-4-1106-preview", messages, temperature: 0.2, user: "u1", max_tokens: 4096 });
    assert.equal(records.length, 1);
    assert.equal(records[0]?.targetId, "gpt-4-1106-preview");
    assert.deepEqual(records[0]?.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
  });

  test("a target id bypasses routing; upstreamModel is sent upstream and the answer names the target", async () => {
    const { app, engine, upstream } = setup();
    const response = await app.request("/v1/chat/completions", chatRequest({ model: "mistral-7b", messages }));
    assert.equal(response.status, 200);
    assert.equal(engine.queries.length, 0);
    assert.equal(upstream.requests[0]?.body.model, "mistralai/mistral-7b-chat");
    const body = (await response.json()) as { model: string };
    assert.equal(body.model, "mistral-7b");
    assert.equal(response.headers.get("x-switchyard-model"), "mistral-7b");
    assert.equal(response.headers.get("x-switchyard-router"), "fixed");
    assert.equal(response.headers.get("x-switchyard-predicted-quality"), null);
  });

  test("the upstream's bytes are passed through when it already names the target", async () => {
    const config = testConfig();
    const text = '{"id":"x",  "model":"gpt-4-1106-preview","choices":[]}';
    const upstream = fakeUpstream(() => ({ status: 200, headers: {}, body: { kind: "json", text, value: JSON.parse(text) } }));
    const app = createGateway(config, { engine: stubEngine(config), upstreamClient: upstream });
    const response = await app.request("/v1/chat/completions", chatRequest({ model: "gpt-4-1106-preview", messages }));
    assert.equal(await response.text(), text);
  });

  test("quality comes from the body, then x-switchyard-quality, then router.defaultQuality", async () => {
    const { app, engine } = setup({ defaultQuality: 0.2 });
    await app.request("/v1/chat/completions", chatRequest({ model: "auto", messages, quality: 0.7 }, { "x-switchyard-quality": "0.1" }));
    await app.request("/v1/chat/completions", chatRequest({ model: "auto", messages }, { "x-switchyard-quality": "0.6" }));
    const last = await app.request("/v1/chat/completions", chatRequest({ model: "auto", messages }));
    assert.deepEqual(
      engine.queries.map((query) => query.options?.quality),
      [0.7, 0.6, 0.2],
    );
    assert.equal(last.headers.get("x-switchyard-model"), "mistral-7b");
  });

  test("the request id is always the gateway's own; a client's x-request-id is kept as an attribute only", async () => {
    const { app, upstream } = setup();
    const response = await app.request("/v1/chat/completions", chatRequest({ model: "auto", messages }, { "x-request-id": "req_abc-123" }));
    const id = response.headers.get("x-request-id") ?? "";
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(upstream.requests[0]?.requestId, id, "the upstream sees the gateway's id");
  });

  test("the output cap goes upstream in the client's field, as the smallest of the client's and the target's caps", async () => {
    const { app, upstream } = setup();
    await app.request("/v1/chat/completions", chatRequest({ model: "mistral-7b", messages, max_tokens: 4000, max_completion_tokens: 7 }));
    await app.request("/v1/chat/completions", chatRequest({ model: "mistral-7b", messages, max_tokens: 100_000 }));
    await app.request("/v1/chat/completions", chatRequest({ model: "mistral-7b", messages, max_tokens: 12 }));
    const caps = upstream.requests.map((request) => [request.body.max_tokens, request.body.max_completion_tokens]);
    assert.deepEqual(caps, [
      [undefined, 7],
      [4096, undefined],
      [12, undefined],
    ]);
  });
});

describe("POST /v1/chat/completions (streaming)", () => {
  const chunk = (body: Record<string, unknown>) => `data: ${JSON.stringify(body)}\n\n`;
  const upstreamEvents = [
    chunk({ id: "c", object: "chat.completion.chunk", model: "mistralai/mistral-7b-chat", choices: [{ index: 0, delta: { role: "assistant", content: "" } }], usage: null }),
    chunk({ id: "c", object: "chat.completion.chunk", model: "mistralai/mistral-7b-chat", choices: [{ index: 0, delta: { content: "Hel" } }], usage: null }),
    chunk({ id: "c", object: "chat.completion.chunk", model: "mistralai/mistral-7b-chat", choices: [{ index: 0, delta: { content: "lo" }, finish_reason: "stop" }], usage: null }),
    chunk({ id: "c", object: "chat.completion.chunk", model: "mistralai/mistral-7b-chat", choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } }),
    "data: [DONE]\n\n",
  ];

  function streamSetup() {
    const config = testConfig();
    const upstream = fakeUpstream(() => streamAnswer(upstreamEvents.join("").match(/[\s\S]{1,7}/g) ?? []));
    const records: CompletionRecord[] = [];
    const app = createGateway(config, { engine: stubEngine(config), upstreamClient: upstream, onCompletion: (record) => records.push(record) });
    return { app, upstream, records };
  }

  test("asks upstream for usage, drops the usage chunk the client did not ask for, reports usage", async () => {
    const { app, upstream, records } = streamSetup();
    const response = await app.request("/v1/chat/completions", chatRequest({ model: "auto", quality: 0, stream: true, messages }));
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "text/event-stream");
    assert.equal(response.headers.get("x-switchyard-model"), "mistral-7b");
    assert.equal(response.headers.get("x-switchyard-router"), "stub");
    assert.deepEqual(upstream.requests[0]?.body.stream_options, { include_usage: true });
    const text = await response.text();
    const expected = upstreamEvents
      .filter((event) => !event.includes('"choices":[]'))
      .join("")
      .replaceAll('"model":"mistralai/mistral-7b-chat"', '"model":"mistral-7b"');
    assert.equal(text, expected);
    assert.equal(records.length, 1);
    assert.deepEqual(records[0]?.usage, { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });
    assert.equal(records[0]?.stream, true);
  });

  test("keeps the usage chunk when the client asked for it", async () => {
    const { app, upstream } = streamSetup();
    const response = await app.request(
      "/v1/chat/completions",
      chatRequest({ model: "mistral-7b", stream: true, stream_options: { include_usage: true }, messages }),
    );
    assert.deepEqual(upstream.requests[0]?.body.stream_options, { include_usage: true });
    const text = await response.text();
    assert.equal(text, upstreamEvents.join("").replaceAll('"model":"mistralai/mistral-7b-chat"', '"model":"mistral-7b"'));
  });

  test("an upstream failure midway ends the stream with an OpenAI error event", async () => {
    const config = testConfig();
    const logger = recordingLogger();
    const upstream = fakeUpstream(() => {
      async function* broken(): AsyncGenerator<Uint8Array> {
        yield new TextEncoder().encode(upstreamEvents[0] ?? "");
        throw Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" });
      }
      return { status: 200, headers: { "content-type": "text/event-stream" }, body: { kind: "stream", chunks: broken() } };
    });
    const app = createGateway(config, { engine: stubEngine(config), upstreamClient: upstream, logger });
    const response = await app.request("/v1/chat/completions", chatRequest({ model: "auto", stream: true, messages }));
    const text = await response.text();
    const events = text.split("\n\n").filter(Boolean);
    assert.equal(events.length, 2);
    const last = JSON.parse((events[1] ?? "").slice("data: ".length)) as { error: { code: string; type: string } };
    assert.equal(last.error.code, "upstream_error");
    assert.equal(logger.lines.length, 1);
    assert.equal(logger.lines[0]?.fields.code, "upstream_error");
  });
});
