import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import type { Target } from "../../src/core/target.js";
import type { UpstreamConfig } from "../../src/gateway/config.js";
import { createUpstreamClient, UpstreamHttpError } from "../../src/providers/upstream-client.js";

interface Seen {
  path: string;
  headers: IncomingMessage["headers"];
  body: string;
  remotePort: number | undefined;
}

const target: Target = { id: "t", upstream: "local", inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 1000 };
const messages = [{ role: "user", content: "hi" }];

describe("createUpstreamClient (undici pool against a real HTTP server)", () => {
  const seen: Seen[] = [];
  let server: Server;
  let baseUrl = "";
  let behaviour: (response: ServerResponse) => void = () => {};

  before(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
      request.on("end", () => {
        seen.push({ path: request.url ?? "", headers: request.headers, body, remotePort: request.socket.remotePort });
        behaviour(response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const upstream = (): UpstreamConfig => ({ name: "local", baseUrl, apiKeyEnv: "LOCAL_KEY", timeoutMs: 2000 });
  const client = () => createUpstreamClient({ upstreams: [upstream()], env: { LOCAL_KEY: "sk-test" } });
  const json = (status: number, value: unknown, headers: Record<string, string> = {}) => (response: ServerResponse) => {
    response.writeHead(status, { "content-type": "application/json", ...headers });
    response.end(JSON.stringify(value));
  };

  test("posts JSON to <baseUrl>/chat/completions with the key, and reuses the connection", async () => {
    behaviour = json(200, { id: "x", model: "t", choices: [] });
    seen.length = 0;
    const upstreamClient = client();
    const first = await upstreamClient.chatCompletion({ target, upstream: upstream(), body: { model: "t", messages }, requestId: "req-1" });
    for (let call = 0; call < 7; call++) await upstreamClient.chatCompletion({ target, upstream: upstream(), body: { model: "t", messages } });
    await upstreamClient.close();
    assert.equal(first.status, 200);
    assert.equal(first.body.kind, "json");
    assert.deepEqual(first.body.kind === "json" ? first.body.value : undefined, { id: "x", model: "t", choices: [] });
    assert.equal(seen[0]?.path, "/v1/chat/completions");
    assert.equal(seen[0]?.headers.authorization, "Bearer sk-test");
    assert.equal(seen[0]?.headers["content-type"], "application/json");
    assert.equal(seen[0]?.headers["x-request-id"], "req-1");
    assert.deepEqual(JSON.parse(seen[0]?.body ?? ""), { model: "t", messages });
    // undici may alternate between two sockets on sequential calls; eight calls must not open eight.
    assert.ok(new Set(seen.map((call) => call.remotePort)).size <= 2, "keep-alive: sequential calls reuse sockets");
  });

  test("an SSE answer to a streaming request comes back as bytes", async () => {
    behaviour = (response) => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write("data: {}\n\n");
      response.end("data: [DONE]\n\n");
    };
    const upstreamClient = client();
    const answer = await upstreamClient.chatCompletion({ target, upstream: upstream(), body: { model: "t", messages, stream: true } });
    assert.equal(answer.body.kind, "stream");
    let text = "";
    if (answer.body.kind === "stream") for await (const chunk of answer.body.chunks) text += Buffer.from(chunk).toString("utf8");
    assert.equal(text, "data: {}\n\ndata: [DONE]\n\n");
    await upstreamClient.close();
  });

  test("HTTP errors: 4xx passed through with detail, 429 retryable with retry-after, 401 and 5xx become 502", async () => {
    const upstreamClient = client();
    const call = () => upstreamClient.chatCompletion({ target, upstream: upstream(), body: { model: "t", messages } });

    behaviour = json(400, { error: { message: "bad things", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } });
    await assert.rejects(call(), (error: unknown) => {
      assert.ok(error instanceof UpstreamHttpError);
      assert.equal(error.status, 400);
      assert.equal(error.code, "upstream_rejected");
      assert.equal(error.isRetryable, false);
      assert.deepEqual(error.detail, { message: "bad things", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" });
      return true;
    });

    behaviour = json(429, { error: { message: "slow down", type: "rate_limit_error" } }, { "retry-after-ms": "1500" });
    await assert.rejects(call(), (error: unknown) => error instanceof UpstreamHttpError && error.status === 429 && error.isRetryable && error.retryAfterSeconds === 1.5);

    behaviour = json(401, { error: { message: "Incorrect API key provided: sk-test" } });
    await assert.rejects(call(), (error: unknown) => error instanceof UpstreamHttpError && error.status === 502 && error.code === "upstream_error" && !error.message.includes("sk-test"));

    behaviour = (response) => {
      response.writeHead(503, { "retry-after": "7" });
      response.end("overloaded");
    };
    await assert.rejects(call(), (error: unknown) => error instanceof UpstreamHttpError && error.status === 502 && error.isRetryable && error.upstreamStatus === 503 && error.retryAfterSeconds === 7);

    behaviour = (response) => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{not json");
    };
    await assert.rejects(call(), (error: unknown) => error instanceof SwitchyardError && error.code === "upstream_error" && /invalid JSON/.test(error.message));
    await upstreamClient.close();
  });

  test("an upstream that does not answer in time is upstream_timeout", async () => {
    behaviour = () => {};
    const slow: UpstreamConfig = { ...upstream(), timeoutMs: 150 };
    const upstreamClient = createUpstreamClient({ upstreams: [slow], env: { LOCAL_KEY: "k" } });
    await assert.rejects(upstreamClient.chatCompletion({ target, upstream: slow, body: { model: "t", messages } }), (error: unknown) => {
      assert.ok(error instanceof SwitchyardError);
      assert.equal(error.code, "upstream_timeout");
      assert.equal(error.status, 504);
      return true;
    });
    await upstreamClient.close();
  });

  test("the total deadline and the caller's signal both abort a call in flight (the deadline's own signal reaches undici)", async () => {
    behaviour = () => {};
    const slow: UpstreamConfig = { ...upstream(), timeoutMs: 60_000, totalTimeoutMs: 150 };
    const upstreamClient = createUpstreamClient({ upstreams: [slow], env: { LOCAL_KEY: "k" } });
    const started = Date.now();
    await assert.rejects(upstreamClient.chatCompletion({ target, upstream: slow, body: { model: "t", messages } }), (error: unknown) => {
      assert.ok(error instanceof SwitchyardError);
      assert.equal(error.code, "upstream_timeout");
      return true;
    });
    assert.ok(Date.now() - started < 5_000, "the total deadline ended the call, not undici's 60 s timeout");

    const patient: UpstreamConfig = { ...upstream(), timeoutMs: 60_000 };
    const client = createUpstreamClient({ upstreams: [patient], env: { LOCAL_KEY: "k" } });
    const caller = new AbortController();
    setTimeout(() => caller.abort(new Error("client went away")), 100);
    const cancelledAt = Date.now();
    await assert.rejects(client.chatCompletion({ target, upstream: patient, body: { model: "t", messages }, signal: caller.signal }), (error: unknown) => {
      assert.ok(error instanceof SwitchyardError);
      assert.notEqual(error.code, "upstream_timeout");
      return true;
    });
    assert.ok(Date.now() - cancelledAt < 5_000, "the caller's abort ended the call");
    await Promise.all([upstreamClient.close(), client.close()]);
  });
});

test("an unreachable upstream is upstream_error naming the cause", async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const upstream: UpstreamConfig = { name: "gone", baseUrl: `http://127.0.0.1:${port}/v1`, timeoutMs: 2000 };
  const client = createUpstreamClient({ upstreams: [upstream] });
  await assert.rejects(client.chatCompletion({ target, upstream, body: { model: "t", messages } }), (error: unknown) => {
    assert.ok(error instanceof SwitchyardError);
    assert.equal(error.code, "upstream_error");
    assert.equal(error.status, 502);
    assert.match(error.message, /Upstream "gone" is unreachable \(ECONNREFUSED\)/);
    return true;
  });
  await client.close();
});

test("a missing apiKeyEnv variable fails when the client is created", () => {
  const upstream: UpstreamConfig = { name: "openai", baseUrl: "https://api.openai.com/v1", apiKeyEnv: "SWITCHYARD_TEST_UNSET_KEY", timeoutMs: 1000 };
  assert.throws(() => createUpstreamClient({ upstreams: [upstream], env: {} }), { message: /SWITCHYARD_TEST_UNSET_KEY \(apiKeyEnv\) is not set; set it, or give upstreams\.0\.apiKey/ });
});
