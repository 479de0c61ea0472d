import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { runCase, startHostileGateway, type HostileCase, type HostileGateway } from "./hostile-kit.js";
import { completionText, okAnswer, sseChunk, sseStream, type UpstreamAnswer } from "./hostile-upstream.js";

type Answer = (body: Record<string, unknown>) => UpstreamAnswer;

/** A case: what upstream `a` (the first choice) answers, and whether `b` must (not) be asked after it. */
interface UpstreamCase extends HostileCase {
  a: Answer;
  /** true: the request falls back to `b`; false: `b` is never asked. */
  fallsBack: boolean;
}

const ask = (model: string, stream = false) => JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] });
const errorBody = (status: number, code: string | null = null) => JSON.stringify({ error: { message: `upstream says ${status}`, type: "invalid_request_error", param: status === 400 ? "messages" : null, code } });
const fixed = (answer: UpstreamAnswer): Answer => () => answer;
const big = (bytes: number) => "x".repeat(bytes);
const noCostHeader = (answer: { headers: Record<string, unknown> }) => (answer.headers["x-switchyard-cost-usd"] === undefined ? undefined : "a cost was computed from implausible usage");
const upstreamStatusIs = (status: number) => (answer: { text: string }) => ((JSON.parse(answer.text) as { error: { upstream_status?: number } }).error.upstream_status === status ? undefined : `upstream_status is not ${status}`);
const servedByB = (answer: { headers: Record<string, unknown> }) =>
  answer.headers["x-switchyard-model"] === "b" && answer.headers["x-switchyard-first-choice"] === "a" && answer.headers["x-switchyard-predicted-cost-usd"] === "0.005" ? undefined : `headers do not describe the served target: ${JSON.stringify(answer.headers)}`;

/** 4xx that say the request is wrong: wrapped, status kept, no fallback (a dearer model would refuse it too). */
const requestFaults: UpstreamCase[] = [400, 405, 410, 413, 415, 422, 451].flatMap((status) =>
  [false, true].map((stream): UpstreamCase => ({
    name: `upstream ${status}${stream ? " (stream)" : ""}: no fallback, status kept`,
    a: fixed({ status, body: errorBody(status, "context_length_exceeded") }),
    fallsBack: false,
    body: ask("auto", stream),
    status,
    code: "upstream_rejected",
    check: upstreamStatusIs(status),
  })),
);
/** A 404 from the upstream: a misconfigured target, a 502 naming the upstream, not a missing route. */
const notFound: UpstreamCase[] = [false, true].map((stream) => ({
  name: `upstream 404${stream ? " (stream)" : ""}: 502 upstream_error naming the upstream, no fallback`,
  a: fixed({ status: 404, body: errorBody(404, "model_not_found") }),
  fallsBack: false,
  body: ask("auto", stream),
  status: 502,
  code: "upstream_error",
  check: (answer) => upstreamStatusIs(404)(answer) ?? ((JSON.parse(answer.text) as { error: { message: string } }).error.message.startsWith('Upstream "a" answered 404') ? undefined : "the message does not name the upstream"),
}));
/** Retryable failures and the gateway's own credentials: fall back to `b`, headers describe `b`. */
const retryable: UpstreamCase[] = [
  ...[401, 402, 403, 408, 409, 429, 500, 502, 503, 504].map((status) => ({ name: `upstream ${status}`, a: fixed({ status, body: errorBody(status), headers: { "retry-after": "0" } }) })),
  { name: "connection reset", a: fixed({ destroy: true }) },
  { name: "no answer within timeoutMs", a: fixed({ delayMs: 1_500 }) },
  { name: "200 with truncated JSON", a: fixed({ body: '{"id": "x", "choices": [' }) },
  { name: "200 with an HTML page", a: fixed({ body: "<html><body>maintenance</body></html>", headers: { "content-type": "text/html" } }) },
  { name: "200 with an empty body", a: fixed({ body: "" }) },
  { name: "204 no content", a: fixed({ status: 204, body: "" }) },
  { name: "5xx with an HTML body", a: fixed({ status: 502, body: "<html>bad gateway</html>", headers: { "content-type": "text/html" } }) },
  { name: "stream that breaks before its first byte", a: fixed({ headers: { "content-type": "text/event-stream" }, chunks: [], destroy: true }), stream: true },
].flatMap(({ name, a, stream }: { name: string; a: Answer; stream?: boolean }) =>
  (stream === undefined ? [false, true] : [stream]).map((streamed): UpstreamCase => ({ name: `${name}${streamed ? " (stream)" : ""}: falls back to b`, a, fallsBack: true, body: ask("auto", streamed), status: 200, code: null, check: servedByB })),
);
/** Named models do not fall back: the client gets the failure, wrapped. */
const named: UpstreamCase[] = [
  { name: "named model, upstream 500", a: fixed({ status: 500, body: errorBody(500) }), status: 502, code: "upstream_error" },
  { name: "named model, upstream 429", a: fixed({ status: 429, body: errorBody(429, "rate_limit_exceeded"), headers: { "retry-after": "0" } }), status: 429, code: "upstream_rejected" },
  { name: "named model, upstream 401", a: fixed({ status: 401, body: errorBody(401, "invalid_api_key") }), status: 502, code: "upstream_error" },
  { name: "named model, upstream reset", a: fixed({ destroy: true }), status: 502, code: "upstream_error" },
  { name: "named model, upstream silent", a: fixed({ delayMs: 1_500 }), status: 504, code: "upstream_timeout" },
  { name: "named model, garbage JSON", a: fixed({ body: "not json at all" }), status: 502, code: "upstream_error" },
  { name: "named model, a redirect", a: fixed({ status: 302, body: "", headers: { location: "https://elsewhere.example/" } }), status: 502, code: "upstream_error" },
  { name: "named model, JSON that is not a completion", a: fixed({ body: "[1, 2, 3]" }), status: 502, code: "upstream_error" },
  { name: "named model, JSON null", a: fixed({ body: "null" }), status: 502, code: "upstream_error" },
].map((item) => ({ ...item, fallsBack: false, body: ask("a") }));
/** Answers over `maxResponseBytes` (64 KiB here): 502 upstream_response_too_large, body discarded, no fallback. */
const tooLarge: UpstreamCase[] = [
  { name: "declared content-length over the cap", a: fixed({ body: big(70_000) }), body: ask("auto"), status: 502, code: "upstream_response_too_large" },
  { name: "chunked JSON over the cap", a: fixed({ chunks: Array.from({ length: 20 }, () => big(8_192)) }), body: ask("auto"), status: 502, code: "upstream_response_too_large" },
  { name: "a stream declaring a length over the cap", a: fixed({ headers: { "content-type": "text/event-stream", "content-length": "70000" }, body: big(70_000) }), body: ask("auto", true), status: 502, code: "upstream_response_too_large" },
  { name: "10 MB JSON", a: fixed({ chunks: Array.from({ length: 160 }, () => big(65_536)) }), body: ask("a"), status: 502, code: "upstream_response_too_large" },
  {
    name: "a stream that grows past the cap: cut with an error event",
    a: (request: Record<string, unknown>) => ({ headers: { "content-type": "text/event-stream" }, chunks: Array.from({ length: 40 }, () => sseChunk(request, big(4_000))) }),
    body: ask("auto", true),
    status: 200,
    code: null,
    check: (answer: { text: string }) => (/"code":"upstream_response_too_large"/.test(answer.text) ? undefined : "no error event naming the cap"),
  },
].map((item) => ({ ...item, fallsBack: false }));
/** Implausible usage is not believed: served, but no cost is computed from it (the reservation is booked). */
const usage: UpstreamCase[] = [
  { prompt_tokens: -100, completion_tokens: 5 },
  { prompt_tokens: 3, completion_tokens: -1 },
  { prompt_tokens: 1.5, completion_tokens: 2 },
  { prompt_tokens: "3", completion_tokens: 2 },
  { prompt_tokens: 1e12, completion_tokens: 2 },
  { prompt_tokens: 3, completion_tokens: 2, total_tokens: -5 },
  "lots",
].flatMap((reported) =>
  [false, true].map((stream): UpstreamCase => ({
    name: `usage ${JSON.stringify(reported)}${stream ? " (stream)" : ""}: served, not stored`,
    a: (request: Record<string, unknown>) => (stream ? { headers: { "content-type": "text/event-stream" }, chunks: sseStream(request, ["ok"], reported) } : { body: completionText(request, reported) }),
    fallsBack: false,
    body: ask("a", stream),
    status: 200,
    code: null,
    check: noCostHeader,
  })),
);
/** Odd but valid answers: served as they are. */
const odd: UpstreamCase[] = [
  { name: "JSON served as text/plain", a: (request: Record<string, unknown>) => ({ body: completionText(request), headers: { "content-type": "text/plain" } }), body: ask("a") },
  { name: "a slow stream within the limits", a: (request: Record<string, unknown>) => ({ headers: { "content-type": "text/event-stream" }, chunks: sseStream(request, ["a", "b", "c", "d"]), chunkDelayMs: 30 }), body: ask("a", true) },
  { name: "a stream in one-byte chunks", a: (request: Record<string, unknown>) => ({ headers: { "content-type": "text/event-stream" }, chunks: [...sseStream(request).join("")] }), body: ask("a", true) },
  { name: "a stream with comments and empty events", a: (request: Record<string, unknown>) => ({ headers: { "content-type": "text/event-stream" }, chunks: [": keep-alive\n\n", "\n\n", ...sseStream(request)] }), body: ask("a", true) },
  { name: "usage absent", a: (request: Record<string, unknown>) => ({ body: completionText(request, null) }), body: ask("a"), check: noCostHeader },
  { name: "extra unknown fields", a: (request: Record<string, unknown>) => ({ body: JSON.stringify({ ...JSON.parse(completionText(request)), system_fingerprint: "fp", x_vendor: { deep: [1] } }) }), body: ask("a") },
].map((item) => ({ ...item, fallsBack: false, status: 200, code: null }));
/** Streams that break midway: 200 then an error event; the request is not retried on another model. */
const midStream: UpstreamCase[] = [
  { name: "stream cut after two chunks", a: (request: Record<string, unknown>) => ({ headers: { "content-type": "text/event-stream" }, chunks: [sseChunk(request, "par"), sseChunk(request, "tial")], chunkDelayMs: 30, destroy: true }) },
  { name: "stream that ends without [DONE]", a: (request: Record<string, unknown>) => ({ headers: { "content-type": "text/event-stream" }, chunks: [sseChunk(request, "par")] }) },
  { name: "stream of garbage lines", a: () => ({ headers: { "content-type": "text/event-stream" }, chunks: ["this is not SSE\n", "neither is this\n"] }) },
].map(({ name, a }) => ({ name, a, fallsBack: false, body: ask("auto", true), status: 200, code: null, check: (answer: { text: string }) => (/data: \{"error"/.test(answer.text) ? undefined : "no error event at the end") }));

/** Every upstream-answer case. */
export const upstreamCases: UpstreamCase[] = [...requestFaults, ...notFound, ...retryable, ...named, ...tooLarge, ...usage, ...odd, ...midStream];

describe("hostile upstream answers: each failure is wrapped, falls back only when retryable, and caps hold", { timeout: 60_000 }, () => {
  let hostile: HostileGateway;
  before(async () => {
    hostile = await startHostileGateway();
  });
  after(() => hostile.close());

  test(`${upstreamCases.length} cases`, async () => {
    const problems: string[] = [];
    for (const item of upstreamCases) {
      hostile.upstreams.a.answer = item.a;
      hostile.upstreams.b.answer = okAnswer;
      const bSeen = hostile.upstreams.b.seen.length;
      problems.push(...(await runCase(hostile, item)));
      const fellBack = hostile.upstreams.b.seen.length > bSeen;
      if (fellBack !== item.fallsBack) problems.push(`${item.name}: ${item.fallsBack ? "did not fall back" : "fell back to a dearer model"}`);
    }
    assert.deepEqual(problems, []);
  });

  test("implausible usage never reached the ledger or the traces, and was logged", async () => {
    await hostile.gateway.services.flush();
    const traces = await hostile.gateway.services.store.traces.list();
    for (const trace of traces) {
      assert.ok(trace.inputTokens === null || (trace.inputTokens >= 0 && trace.inputTokens <= 10_000_000), `trace ${trace.id} input tokens ${trace.inputTokens}`);
      assert.ok(trace.outputTokens === null || trace.outputTokens >= 0, `trace ${trace.id} output tokens ${trace.outputTokens}`);
      assert.ok(trace.costUsd === null || trace.costUsd >= 0);
    }
    const warnings = hostile.lines.filter((line) => line.message.startsWith("upstream reported implausible usage"));
    assert.ok(warnings.length >= 12, `${warnings.length} warnings`);
    const key = (await hostile.gateway.services.store.keys.list()).find((record) => record.name === "hostile");
    assert.ok(key !== undefined);
    assert.deepEqual(hostile.lines.filter((line) => line.level === "error" && !/upstream|stream/i.test(line.message)), [], "no unexpected errors");
  });
});
