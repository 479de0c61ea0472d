import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { request } from "undici";
import type { GatewayServer } from "../../src/gateway/serve.js";
import type { ScriptedUpstream } from "./scripted-upstream.js";
import { closeAll, productionConfig, scriptedUpstreams, startProductionGateway } from "./production-kit.js";

/** One hostile or malformed request. */
interface Case {
  name: string;
  method?: string;
  path?: string;
  /** Default: `content-type: application/json` and the test key. */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Raw bytes on a fresh socket instead of an HTTP client request. */
  raw?: string | Uint8Array;
  /** Expected status; default: any 4xx. */
  status?: number;
  code?: string;
}

const valid = { model: "auto", messages: [{ role: "user", content: "hi" }] };
const withField = (field: string, value: unknown) => JSON.stringify({ ...valid, [field]: value });
const withMessage = (message: unknown) => JSON.stringify({ ...valid, messages: [message] });
const nested = (depth: number, open = "[", close = "]") => `${open.repeat(depth)}${close.repeat(depth)}`;
const bytes = (...values: number[]) => new Uint8Array(values);
const utf8 = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
};

const syntax: Case[] = ["", " ", "{", "}", "[", "nul", "{'model': 'auto'}", '{"model": }', '{"model": "auto",}', '{"model": NaN}', '{"model": Infinity}', "undefined", '{"a": 1} // comment', '{"a": 1} {"b": 2}', '"\\ud800"x', "\u0000"].map(
  (body) => ({ name: `invalid JSON ${JSON.stringify(body)}`, body, status: 400 }),
);
const shapes: Case[] = ["[]", "1", '"text"', "null", "true", "[{}]", "{}", '{"messages": []}'].map((body) => ({ name: `not a request: ${body}`, body, status: 400 }));
const encodings: Case[] = [
  { name: "invalid UTF-8: 0xff", body: concat(utf8('{"model": "auto", "messages": [{"role": "user", "content": "'), bytes(0xff), utf8('"}]}')), status: 400, code: "invalid_json" },
  { name: "invalid UTF-8: overlong NUL", body: concat(utf8('{"model": "'), bytes(0xc0, 0x80), utf8('", "messages": []}')), status: 400, code: "invalid_json" },
  { name: "invalid UTF-8: encoded surrogate", body: concat(utf8('{"model": "auto", "x": "'), bytes(0xed, 0xa0, 0x80), utf8('"}')), status: 400, code: "invalid_json" },
  { name: "invalid UTF-8: truncated sequence", body: concat(utf8('{"model": "auto", "x": "'), bytes(0xe2, 0x82), utf8('"}')), status: 400, code: "invalid_json" },
  { name: "UTF-16 body", body: new Uint8Array(Buffer.from(JSON.stringify(valid), "utf16le")), status: 400 },
];
const depth: Case[] = [
  { name: "deep arrays in content (100)", body: `{"model": "auto", "messages": [{"role": "user", "content": ${nested(100)}}]}`, status: 400, code: "invalid_json" },
  { name: "deep arrays (5000)", body: `{"x": ${nested(5000)}}`, status: 400 },
  { name: "deep objects (200)", body: `{"model": "auto", "messages": [], "x": ${'{"a":'.repeat(200)}1${"}".repeat(200)}}`, status: 400 },
  { name: "deep mixed unknown field (80)", body: `{"model": "auto", "messages": [{"role": "user", "content": "x"}], "metadata": ${'[{"a":'.repeat(40)}1${"}]".repeat(40)}}`, status: 400, code: "invalid_json" },
];
const sizes: Case[] = [
  { name: "declared body over the limit", body: JSON.stringify({ ...valid, messages: [{ role: "user", content: "x".repeat(20_000) }] }), status: 413 },
  { name: "many messages over the limit", body: JSON.stringify({ ...valid, messages: Array.from({ length: 2_000 }, () => ({ role: "user", content: "hello" })) }), status: 413 },
  { name: "prompt over every context window", body: JSON.stringify({ ...valid, messages: [{ role: "user", content: "word ".repeat(3_000) }], max_tokens: 5_000 }), status: 422, code: "no_candidates" },
];
const contentTypes: Case[] = [undefined, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json", "application/jsonx", ""].map((type): Case => ({
  name: `content-type ${JSON.stringify(type)}`,
  headers: type === undefined ? { authorization: "KEY" } : { "content-type": type, authorization: "KEY" },
  body: JSON.stringify(valid),
  status: 415,
}));
const wrongTypes: Case[] = [
  ["model", 42], ["model", null], ["model", ["auto"]], ["model", { id: "auto" }], ["model", ""], ["model", "m".repeat(300)],
  ["messages", "hi"], ["messages", { role: "user" }], ["messages", []], ["messages", [1]], ["messages", [null]], ["messages", [[]]],
  ["stream", "true"], ["stream", 1], ["stream_options", "x"], ["stream_options", { include_usage: "yes" }],
  ["temperature", "hot"], ["temperature", -1], ["temperature", 3], ["top_p", 2], ["top_p", -0.1],
  ["n", 0], ["n", -1], ["n", 1.5], ["n", 1_000],
  ["max_tokens", -1], ["max_tokens", 0], ["max_tokens", 1.5], ["max_tokens", "100"], ["max_completion_tokens", -5],
  ["presence_penalty", 5], ["frequency_penalty", -3], ["stop", 7], ["stop", ["a", "b", "c", "d", "e"]], ["stop", [1]],
  ["tools", "x"], ["tools", [1]], ["tools", [{}]], ["tools", [{ type: "function" }]], ["tools", [{ type: "function", function: {} }]], ["tools", [{ type: "function", function: { name: "f", parameters: "x" } }]],
  ["tool_choice", 1], ["tool_choice", "sometimes"], ["tool_choice", {}],
  ["response_format", "json"], ["response_format", { type: 1 }], ["response_format", {}],
  ["logit_bias", "x"], ["logit_bias", { "1": 500 }], ["seed", "x"], ["seed", 1.5], ["user", 1], ["user", "u".repeat(600)],
  ["logprobs", "x"], ["top_logprobs", 50], ["parallel_tool_calls", "x"],
  ["quality", "x"], ["quality", -1], ["quality", 2], ["allowed_models", "x"], ["allowed_models", [1]],
].map(([field, value]) => ({ name: `${field} = ${JSON.stringify(value).slice(0, 40)}`, body: withField(field as string, value), status: 400, code: "invalid_request" }));
const badMessages: Case[] = [
  {}, { role: 7, content: "x" }, { role: "wizard", content: "x" }, { role: "", content: "x" }, { role: "SYSTEM", content: "x" }, { content: "no role" },
  { role: "user", content: 7 }, { role: "user", content: { text: "x" } }, { role: "user", content: true }, { role: "user", content: [1] },
  { role: "user", content: [{ text: "no type" }] }, { role: "user", content: [{ type: 5 }] }, { role: "user", content: [null] },
  { role: "assistant", tool_calls: "x" }, { role: "assistant", tool_calls: [{ function: { arguments: "{}" } }] }, { role: "user", content: "x", name: 5 },
].map((message) => ({ name: `message ${JSON.stringify(message).slice(0, 60)}`, body: withMessage(message), status: 400, code: "invalid_request" }));
const feedback: Case[] = [
  { request_id: "r", score: 0.5, extra: true }, { request_id: "r", score: 2 }, { request_id: "r", score: -0.1 }, { request_id: "r" }, { score: 1 },
  { request_id: 5, score: 1 }, { request_id: "r", score: "1" }, { request_id: "r", score: 1, label: 5 }, { request_id: "r".repeat(200), score: 1 }, { request_id: "never-seen", score: 1 },
].map((body) => ({ name: `feedback ${JSON.stringify(body).slice(0, 60)}`, path: "/v1/feedback", body: JSON.stringify(body) }));
const embeddings: Case[] = [
  { model: "a", input: 1 }, { model: "a", input: [] }, { model: "a", input: [[]] }, { model: "a", input: "x", encoding_format: "hex" }, { model: 5, input: "x" },
  { model: "a", input: "x", dimensions: -1 }, { model: "nope", input: "x" }, { model: "auto", input: "x" }, { input: "x" },
].map((body) => ({ name: `embeddings ${JSON.stringify(body)}`, path: "/v1/embeddings", body: JSON.stringify(body) }));
const routes: Case[] = [
  { name: "GET chat completions", method: "GET", body: undefined, status: 405 },
  { name: "PUT chat completions", method: "PUT", status: 405 },
  { name: "DELETE models", method: "DELETE", path: "/v1/models", body: undefined, status: 405 },
  { name: "GET embeddings", method: "GET", path: "/v1/embeddings", body: undefined, status: 405 },
  { name: "unknown route", path: "/v1/completions", status: 404 },
  { name: "path traversal", path: "/v1/../../etc/passwd", method: "GET", body: undefined, status: 404 },
  { name: "encoded NUL in path", path: "/v1/chat%00/completions", status: 404 },
  { name: "very long path", path: `/v1/${"a".repeat(4_000)}`, method: "GET", body: undefined, status: 404 },
  { name: "unknown model", body: withField("model", "gpt-9"), status: 404, code: "model_not_found" },
  { name: "unknown model by id with slashes", method: "GET", path: "/v1/models/..%2F..%2Fetc", body: undefined, status: 404 },
  { name: "empty allowed_models", body: withField("allowed_models", []), status: 422, code: "no_candidates" },
];
const headerCases: Case[] = [
  ...["NaN", "2", "-0.5", "1e309", "high", "0.5; drop table"].map((quality) => ({ name: `x-switchyard-quality ${quality}`, headers: { "content-type": "application/json", authorization: "KEY", "x-switchyard-quality": quality }, body: JSON.stringify(valid), status: 400 })),
  { name: "no key", headers: { "content-type": "application/json" }, body: JSON.stringify(valid), status: 401, code: "unauthorized" },
  { name: "Bearer without token", headers: { "content-type": "application/json", authorization: "Bearer" }, body: JSON.stringify(valid), status: 401 },
  { name: "wrong key", headers: { "content-type": "application/json", authorization: "Bearer sy-wrongwrongwrongwrongwrongwrongwr" }, body: JSON.stringify(valid), status: 401 },
  { name: "Basic auth", headers: { "content-type": "application/json", authorization: "Basic c3k6eA==" }, body: JSON.stringify(valid), status: 401 },
  { name: "key with trailing junk", headers: { "content-type": "application/json", authorization: "KEY; x" }, body: JSON.stringify(valid), status: 401 },
  { name: "wrong x-api-key", headers: { "content-type": "application/json", "x-api-key": "sy-nope" }, body: JSON.stringify(valid), status: 401 },
  { name: "SQL in key", headers: { "content-type": "application/json", authorization: "Bearer ' OR 1=1 --" }, body: JSON.stringify(valid), status: 401 },
  { name: "revoked key", headers: { "content-type": "application/json", authorization: "REVOKED" }, body: JSON.stringify(valid), status: 401 },
  { name: "model the key may not use", headers: { "content-type": "application/json", authorization: "LIMITED" }, body: withField("model", "b"), status: 403, code: "forbidden" },
  { name: "no key on models", method: "GET", path: "/v1/models", headers: {}, body: undefined, status: 401 },
];
const rawRequest = (lines: string[]) => `${lines.join("\r\n")}\r\n\r\n`;
const rawCases: Case[] = [
  { name: "raw: garbage request line", raw: "GARBAGE\r\n\r\n" },
  { name: "raw: bad HTTP version", raw: "POST /v1/chat/completions HTTP/9.9\r\nhost: x\r\n\r\n" },
  { name: "raw: header without colon", raw: rawRequest(["POST /v1/chat/completions HTTP/1.1", "host: x", "no-colon-here"]) },
  { name: "raw: CR inside a header value", raw: rawRequest(["POST /v1/chat/completions HTTP/1.1", "host: x", "x-request-id: a\rinjected: 1"]) },
  { name: "raw: NUL in a header value", raw: rawRequest(["POST /v1/chat/completions HTTP/1.1", "host: x", "x-request-id: a\u0000b"]) },
  { name: "raw: space before the colon", raw: rawRequest(["POST /v1/chat/completions HTTP/1.1", "host: x", "content-type : application/json"]) },
  { name: "raw: oversized headers", raw: rawRequest(["GET /v1/models HTTP/1.1", "host: x", `x-big: ${"a".repeat(20_000)}`]) },
  { name: "raw: content-length and chunked (smuggling)", raw: rawRequest(["POST /v1/chat/completions HTTP/1.1", "host: x", "content-length: 4", "transfer-encoding: chunked"]) + "0\r\n\r\n" },
  { name: "raw: two different content-lengths", raw: rawRequest(["POST /v1/chat/completions HTTP/1.1", "host: x", "content-length: 4", "content-length: 5"]) + "abcd" },
  { name: "raw: negative content-length", raw: rawRequest(["POST /v1/chat/completions HTTP/1.1", "host: x", "content-length: -1"]) },
  { name: "raw: invalid chunk size", raw: rawRequest(["POST /v1/chat/completions HTTP/1.1", "host: x", "content-type: application/json", "transfer-encoding: chunked"]) + "zz\r\n{}\r\n0\r\n\r\n" },
];
const corpus: Case[] = [...syntax, ...shapes, ...encodings, ...depth, ...sizes, ...contentTypes, ...wrongTypes, ...badMessages, ...feedback, ...embeddings, ...routes, ...headerCases, ...rawCases];

/** Sends raw bytes on a fresh connection; resolves with the status and body of the answer. */
function sendRaw(url: string, payload: string | Uint8Array): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let text = "";
    socket.setTimeout(5_000, () => socket.destroy(new Error("raw request timed out")));
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    socket.on("error", reject);
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf("\r\n\r\n") + 4) });
    });
    socket.write(payload);
  });
}

describe("bad-input corpus: every malformed or hostile request gets an OpenAI-shaped 4xx, and the server keeps serving", { timeout: 60_000 }, () => {
  let gateway: GatewayServer;
  let upstreams: Record<string, ScriptedUpstream>;
  const keys: Record<string, string> = {};

  before(async () => {
    upstreams = await scriptedUpstreams("a", "b");
    const config = productionConfig(upstreams, { server: { maxBodyBytes: 16_384 } });
    ({ gateway } = await startProductionGateway(config));
    keys.KEY = `Bearer ${(await gateway.services.keys.create({ name: "corpus" })).key}`;
    keys.LIMITED = `Bearer ${(await gateway.services.keys.create({ name: "limited", models: ["a"] })).key}`;
    const revoked = await gateway.services.keys.create({ name: "revoked" });
    await gateway.services.keys.revoke("revoked");
    keys.REVOKED = `Bearer ${revoked.key}`;
  });
  after(() => closeAll(gateway, upstreams));

  test("the corpus has at least 100 cases", () => {
    assert.ok(corpus.length >= 100, `${corpus.length} cases`);
  });

  test("each case: 4xx, OpenAI error shape, no stack trace; a valid request still works afterwards", async () => {
    const failures: string[] = [];
    for (const item of corpus) {
      let status: number;
      let text: string;
      if (item.raw !== undefined) {
        ({ status, body: text } = await sendRaw(gateway.url, item.raw));
      } else {
        const headers: Record<string, string> = { ...(item.headers ?? { "content-type": "application/json", authorization: "KEY" }) };
        for (const [name, value] of Object.entries(headers)) {
          for (const [placeholder, key] of Object.entries(keys)) if (value.startsWith(placeholder)) headers[name] = value.replace(placeholder, key);
        }
        const response = await request(`${gateway.url}${item.path ?? "/v1/chat/completions"}`, {
          method: (item.method ?? "POST") as "POST",
          headers,
          body: item.method === "GET" || item.method === "DELETE" ? undefined : (item.body ?? JSON.stringify(valid)),
        });
        status = response.statusCode;
        text = await response.body.text();
      }
      if (process.env.CORPUS_DEBUG) console.log(status, item.name, text.slice(0, 100));
      const problem = (why: string) => failures.push(`${item.name}: ${why} (status ${status}, body ${text.slice(0, 160)})`);
      if (status < 400 || status > 499) problem("not a 4xx");
      else if (item.status !== undefined && status !== item.status) problem(`expected ${item.status}`);
      let body: { error?: { message?: unknown; type?: unknown; param?: unknown; code?: unknown } } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        problem("body is not JSON");
        continue;
      }
      const error = body.error;
      if (!error || typeof error.message !== "string" || typeof error.type !== "string" || !("param" in error) || !("code" in error)) problem("not OpenAI's error shape");
      else if (item.code !== undefined && error.code !== item.code) problem(`expected code ${item.code}, got ${String(error.code)}`);
      if (/\n\s+at /.test(text)) problem("stack trace in the answer");
      if (/sy-[A-Za-z0-9]{32}/.test(text)) problem("a key in the answer");
    }
    assert.deepEqual(failures, []);

    const ok = await request(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: keys.KEY as string }, body: JSON.stringify(valid) });
    assert.equal(ok.statusCode, 200);
    assert.equal(((await ok.body.json()) as { model: string }).model, "a");
    const health = await request(`${gateway.url}/healthz`);
    assert.equal(health.statusCode, 200);
    await health.body.dump();
  });

  test("unknown top-level fields are not errors: they are forwarded to the upstream", async () => {
    const response = await request(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: keys.KEY as string },
      body: JSON.stringify({ ...valid, some_future_option: { deep: [1, 2] }, reasoning_effort: "low" }),
    });
    assert.equal(response.statusCode, 200);
    await response.body.dump();
    const forwarded = upstreams.a?.seen.at(-1)?.body;
    assert.deepEqual(forwarded?.some_future_option, { deep: [1, 2] });
    assert.equal(forwarded?.reasoning_effort, "low");
  });
});
