import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { createGatewayMetrics } from "../../src/observability/gateway-metrics.js";
import { createLogger, scrubSecrets } from "../../src/observability/logger.js";

function memoryDestination() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

test("metrics: every family renders in Prometheus text format", async () => {
  const metrics = createGatewayMetrics();
  metrics.recordRequest({ endpoint: "/v1/chat/completions", model: "m1", status: 200, key: "ci", stream: false, durationMs: 12 });
  metrics.recordRequest({ endpoint: "/v1/chat/completions", model: "m1", status: 429, key: "ci", stream: true, durationMs: 1 });
  metrics.recordAttempt("m1", "http_503", 5);
  metrics.recordFallback("m2", "m1");
  metrics.recordDecision("knn", 0.4);
  metrics.recordTimeToFirstByte("m1", 30);
  metrics.recordUsage({ model: "m1", key: "ci", inputTokens: 10, outputTokens: 5, costUsd: 0.002 });
  metrics.setBreakerPhase("m2", "open");
  metrics.inFlight(1);
  const { contentType, text } = await metrics.render();
  assert.match(contentType, /^text\/plain/);
  assert.match(text, /switchyard_requests_total\{endpoint="\/v1\/chat\/completions",model="m1",status="200",key="ci"\} 1/);
  assert.match(text, /switchyard_requests_total\{[^}]*status="429"[^}]*\} 1/);
  assert.match(text, /switchyard_request_duration_seconds_bucket\{le="0.025",endpoint="\/v1\/chat\/completions",stream="false"\} 1/);
  assert.match(text, /switchyard_upstream_duration_seconds_count\{target="m1",outcome="http_503"\} 1/);
  assert.match(text, /switchyard_fallbacks_total\{from="m2",to="m1"\} 1/);
  assert.match(text, /switchyard_routing_decision_duration_seconds_bucket\{le="0.0005",router="knn"\} 1/);
  assert.match(text, /switchyard_time_to_first_byte_seconds_count\{target="m1"\} 1/);
  assert.match(text, /switchyard_tokens_total\{model="m1",key="ci",kind="prompt"\} 10/);
  assert.match(text, /switchyard_tokens_total\{model="m1",key="ci",kind="completion"\} 5/);
  assert.match(text, /switchyard_cost_usd_total\{model="m1",key="ci"\} 0.002/);
  assert.match(text, /switchyard_circuit_breaker_state\{target="m2"\} 2/);
  assert.match(text, /switchyard_in_flight_requests 1/);
  const other = createGatewayMetrics();
  assert.doesNotMatch((await other.render()).text, /key="ci"/, "registries are not shared");
});

test("metrics: process metrics only on request", async () => {
  assert.doesNotMatch((await createGatewayMetrics().render()).text, /process_cpu/);
  assert.match((await createGatewayMetrics({ processMetrics: true }).render()).text, /switchyard_process_cpu_user_seconds_total/);
});

test("logger: JSON lines with the request id; secrets and prompts censored", async () => {
  const { lines, stream } = memoryDestination();
  const logger = createLogger({ destination: stream });
  logger.info(
    { requestId: "req-1", headers: { authorization: "Bearer sy-abcdefghijklmnop", "x-api-key": "sy-zzzzzzzzzzzz" }, upstream: { apiKey: "sk-live-123456789" }, prompt: "my secret plan", messages: [{ role: "user", content: "hi" }] },
    "served with key sy-AAAAAAAAAAAAAAAAAAAA via Bearer tok123",
  );
  logger.error({ requestId: "req-2", err: new Error("upstream said: invalid key sk-proj-abcdefghijk") }, "failed");
  await new Promise((resolve) => setImmediate(resolve));
  const [first, second] = lines;
  assert.ok(first && second);
  assert.equal(first.requestId, "req-1");
  assert.equal(first.service, "switchyard");
  const text = JSON.stringify(lines);
  for (const secret of ["sy-abcdefghijklmnop", "sy-zzzzzzzzzzzz", "sk-live-123456789", "my secret plan", "sy-AAAAAAAAAAAAAAAAAAAA", "tok123", "sk-proj-abcdefghijk"]) {
    assert.equal(text.includes(secret), false, `${secret} leaked`);
  }
  assert.equal(first.prompt, "[redacted]");
  assert.equal(first.msg, "served with key [redacted-key] via Bearer [redacted]");
  assert.match(String((second.err as { message: string }).message), /invalid key \[redacted-key\]/);
});

test("logger: prompts are kept when configured, secrets never", async () => {
  const { lines, stream } = memoryDestination();
  const logger = createLogger({ destination: stream, logPrompts: true, level: "debug" });
  logger.debug({ prompt: "visible", apiKey: "hidden" }, "x");
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(lines[0]?.prompt, "visible");
  assert.equal(lines[0]?.apiKey, "[redacted]");
});

test("scrubSecrets leaves ordinary text alone", () => {
  assert.equal(scrubSecrets("sy-short and task-force"), "sy-short and task-force");
  assert.equal(scrubSecrets("key sk-ant-api03-abcdefgh"), "key [redacted-key]");
});
