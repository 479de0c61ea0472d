import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { createGateway } from "../../src/gateway/create-gateway.js";
import { UpstreamHttpError } from "../../src/providers/upstream-client.js";
import { chatRequest, completion, fakeUpstream, jsonAnswer, recordingLogger, stubEngine, testConfig } from "./gateway-test-kit.js";

const messages = [{ role: "user", content: "hi" }];

interface ErrorShape {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Asserts OpenAI's error shape, the status and code, and that nothing looks like a stack trace. */
async function expectError(response: Response, status: number, code: string, param?: string | null): Promise<ErrorShape> {
  assert.equal(response.status, status);
  assert.match(response.headers.get("content-type") ?? "", /^application\/json/);
  assert.ok(response.headers.get("x-request-id"), "x-request-id on errors");
  const text = await response.text();
  assert.doesNotMatch(text, /\bat .+\.(ts|js):\d+|node:internal|Error: /);
  const body = JSON.parse(text) as ErrorShape;
  assert.deepEqual(Object.keys(body), ["error"]);
  // Errors an upstream answered also name its status and code (which side failed).
  const keys = Object.keys(body.error).sort();
  assert.deepEqual(keys.filter((key) => !key.startsWith("upstream_")), ["code", "message", "param", "type"]);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  assert.ok(body.error.message.length > 0);
  if (param !== undefined) assert.equal(body.error.param, param);
  return body;
}

function setup(options: { engineFailure?: Error; upstreamFailure?: Error } = {}) {
  const config = testConfig({ maxBodyBytes: 256 });
  const logger = recordingLogger();
  const upstream = fakeUpstream((request) => {
    if (options.upstreamFailure) throw options.upstreamFailure;
    return jsonAnswer(completion(request.target.id, "ok"));
  });
  const app = createGateway(config, { engine: stubEngine(config, { fail: options.engineFailure }), upstreamClient: upstream, logger });
  return { app, logger, upstream };
}

describe("gateway errors are OpenAI-shaped with the SDK's statuses", () => {
  test("400 invalid_request: missing messages, empty messages, wrong types, missing model", async () => {
    const { app } = setup();
    const cases: [unknown, string][] = [
      [{ model: "auto" }, "messages"],
      [{ model: "auto", messages: [] }, "messages"],
      [{ model: "auto", messages: "hi" }, "messages"],
      [{ model: "auto", messages: [{ content: "no role" }] }, "messages[0].role"],
      [{ model: "auto", messages: [{ role: 7, content: "x" }] }, "messages[0].role"],
      [{ model: "auto", messages: ["hi"] }, "messages[0]"],
      [{ messages }, "model"],
      [{ model: 42, messages }, "model"],
      [{ model: "auto", messages, stream: "yes" }, "stream"],
      [{ model: "auto", messages, quality: 2 }, "quality"],
      [{ model: "auto", messages, allowed_models: "gpt-4" }, "allowed_models"],
      [[{ model: "auto", messages }], null as unknown as string],
    ];
    for (const [body, param] of cases) {
      const response = await app.request("/v1/chat/completions", chatRequest(body));
      const error = await expectError(response, 400, "invalid_request", param);
      assert.equal(error.error.type, "invalid_request_error");
    }
  });

  test("messages name what is wrong: missing versus mistyped", async () => {
    const { app } = setup();
    const missing = await expectError(await app.request("/v1/chat/completions", chatRequest({ messages })), 400, "invalid_request", "model");
    assert.match(missing.error.message, /model: required/);
    const mistyped = await expectError(await app.request("/v1/chat/completions", chatRequest({ model: 42, messages })), 400, "invalid_request", "model");
    assert.match(mistyped.error.message, /model: expected a string/);
  });

  test("400 invalid_request: a quality header outside [0, 1]", async () => {
    const { app } = setup();
    const response = await app.request("/v1/chat/completions", chatRequest({ model: "auto", messages }, { "x-switchyard-quality": "high" }));
    await expectError(response, 400, "invalid_request", "x-switchyard-quality");
  });

  test("400 invalid_json: malformed and empty bodies", async () => {
    const { app } = setup();
    await expectError(await app.request("/v1/chat/completions", chatRequest('{"model": "auto",')), 400, "invalid_json");
    await expectError(await app.request("/v1/chat/completions", chatRequest("")), 400, "invalid_json");
  });

  test("404 model_not_found for a model that is neither auto nor a target", async () => {
    const { app } = setup();
    const error = await expectError(await app.request("/v1/chat/completions", chatRequest({ model: "gpt-9", messages })), 404, "model_not_found", "model");
    assert.match(error.error.message, /gpt-9/);
  });

  test("404 not_found for an unknown route, 405 for a wrong method", async () => {
    const { app } = setup();
    await expectError(await app.request("/v1/completions", { method: "POST" }), 404, "not_found");
    await expectError(await app.request("/nowhere"), 404, "not_found");
    await expectError(await app.request("/v1/chat/completions"), 405, "method_not_allowed");
    await expectError(await app.request("/v1/models", { method: "DELETE" }), 405, "method_not_allowed");
  });

  test("413 payload_too_large from content-length before reading, and while reading a chunked body", async () => {
    const { app } = setup();
    const big = JSON.stringify({ model: "auto", messages: [{ role: "user", content: "x".repeat(1000) }] });
    const declared = await app.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(big.length) },
      body: big,
    });
    await expectError(declared, 413, "payload_too_large");
    const encoder = new TextEncoder();
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 10; i++) controller.enqueue(encoder.encode(big.slice(i * 100, (i + 1) * 100)));
        controller.close();
      },
    });
    const streamed = await app.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: chunked, duplex: "half" } as RequestInit);
    await expectError(streamed, 413, "payload_too_large");
  });

  test("415 unsupported_media_type for a non-JSON content type or none", async () => {
    const { app } = setup();
    const body = JSON.stringify({ model: "auto", messages });
    await expectError(await app.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "text/plain" }, body }), 415, "unsupported_media_type");
    await expectError(
      await app.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body }),
      415,
      "unsupported_media_type",
    );
    const ok = await app.request("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json; charset=utf-8" }, body });
    assert.equal(ok.status, 200);
  });

  test("422 no_candidates when allowed_models leaves nothing", async () => {
    const { app } = setup();
    await expectError(await app.request("/v1/chat/completions", chatRequest({ model: "auto", messages, allowed_models: [] })), 422, "no_candidates");
  });

  test("upstream 4xx keeps its status, wrapped as upstream_rejected with the upstream's code; 401 and 404 become 502; 5xx 502; timeouts 504", async () => {
    const rejected = new UpstreamHttpError({
      upstreamName: "replay",
      upstreamStatus: 400,
      detail: { message: "This model's maximum context length is 8192 tokens", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" },
    });
    const passed = await expectError(await setup({ upstreamFailure: rejected }).app.request("/v1/chat/completions", chatRequest({ model: "auto", messages })), 400, "upstream_rejected", "messages");
    assert.match(passed.error.message, /^Upstream "replay" rejected the request \(400\): This model's maximum context length/);
    const wrapped = passed.error as unknown as { upstream_status: number; upstream_code: string };
    assert.equal(wrapped.upstream_status, 400);
    assert.equal(wrapped.upstream_code, "context_length_exceeded");

    const unknownThere = new UpstreamHttpError({ upstreamName: "replay", upstreamStatus: 404, detail: { message: "The model `x` does not exist", type: "invalid_request_error", param: null, code: "model_not_found" } });
    const notFound = await expectError(await setup({ upstreamFailure: unknownThere }).app.request("/v1/chat/completions", chatRequest({ model: "auto", messages })), 502, "upstream_error");
    assert.match(notFound.error.message, /^Upstream "replay" answered 404/);

    const limited = new UpstreamHttpError({ upstreamName: "replay", upstreamStatus: 429, detail: undefined, retryAfterSeconds: 2.5 });
    const limitedResponse = await setup({ upstreamFailure: limited }).app.request("/v1/chat/completions", chatRequest({ model: "auto", messages }));
    assert.equal(limitedResponse.headers.get("retry-after"), "3");
    await expectError(limitedResponse, 429, "upstream_rejected");

    const credentials = new UpstreamHttpError({ upstreamName: "replay", upstreamStatus: 401, detail: { message: "Incorrect API key sk-secret", type: null, param: null, code: "invalid_api_key" } });
    const credentialsError = await expectError(await setup({ upstreamFailure: credentials }).app.request("/v1/chat/completions", chatRequest({ model: "auto", messages })), 502, "upstream_error");
    assert.doesNotMatch(credentialsError.error.message, /sk-secret/);

    const failed = new UpstreamHttpError({ upstreamName: "replay", upstreamStatus: 503, detail: undefined });
    const { app, logger } = setup({ upstreamFailure: failed });
    const failedResponse = await app.request("/v1/chat/completions", chatRequest({ model: "auto", messages }));
    // Every candidate failed: the headers describe the last target tried (the one the error is about),
    // the router's first choice has its own header.
    assert.equal(failedResponse.headers.get("x-switchyard-first-choice"), "gpt-4-1106-preview", "decision headers survive an upstream failure");
    assert.equal(failedResponse.headers.get("x-switchyard-model"), "mistral-7b");
    assert.equal(failedResponse.headers.get("x-switchyard-fallbacks"), "1");
    await expectError(failedResponse, 502, "upstream_error");
    assert.equal(logger.lines[0]?.level, "warn");

    const timeout = new SwitchyardError("upstream_timeout", 'Upstream "replay" did not answer in time');
    await expectError(await setup({ upstreamFailure: timeout }).app.request("/v1/chat/completions", chatRequest({ model: "auto", messages })), 504, "upstream_timeout");
  });

  test("unexpected errors are 500 internal_error with a generic message; the detail goes to the log only", async () => {
    const { app, logger } = setup({ engineFailure: new TypeError("Cannot read properties of undefined (reading 'secretThing')") });
    const body = await expectError(await app.request("/v1/chat/completions", chatRequest({ model: "auto", messages })), 500, "internal_error");
    assert.doesNotMatch(body.error.message, /secretThing/);
    assert.equal(body.error.type, "api_error");
    assert.equal(logger.lines.length, 1);
    assert.equal(logger.lines[0]?.level, "error");
    const cause = logger.lines[0]?.fields.cause as { message: string; stack: string };
    assert.match(cause.message, /secretThing/);
    assert.match(cause.stack, /TypeError/);
  });

  test("client errors are not logged", async () => {
    const { app, logger } = setup();
    await app.request("/v1/chat/completions", chatRequest({ model: "gpt-9", messages }));
    await app.request("/v1/chat/completions", chatRequest("{"));
    assert.equal(logger.lines.length, 0);
  });
});
