import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { request } from "undici";
import { runCases, startHostileGateway, type HostileGateway } from "./hostile-kit.js";
import { requestCases, valid } from "./request-cases.js";

describe("hostile requests: bodies, headers, routes and exposure get their documented status and code", { timeout: 60_000 }, () => {
  let hostile: HostileGateway;
  before(async () => {
    hostile = await startHostileGateway();
  });
  after(() => hostile.close());

  test(`${requestCases.length} cases`, async () => {
    const seenBefore = hostile.upstreams.a.seen.length + hostile.upstreams.b.seen.length;
    const problems = await runCases(hostile, requestCases);
    assert.deepEqual(problems, []);
    const successes = requestCases.filter((item) => item.status === 200 && (item.path ?? "/v1/chat/completions").startsWith("/v1/chat/completions")).length;
    assert.equal(hostile.upstreams.a.seen.length + hostile.upstreams.b.seen.length - seenBefore, successes, "only valid requests reached an upstream");
    assert.deepEqual(hostile.lines.filter((line) => line.level === "error"), [], "nothing was logged as an error");

    const ok = await request(`${hostile.gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${hostile.secrets.KEY}` }, body: JSON.stringify(valid) });
    assert.equal(ok.statusCode, 200);
    await ok.body.dump();
  });

  test("requests refused before routing are counted, not stored as traces", async () => {
    await hostile.gateway.services.flush();
    const traces = await hostile.gateway.services.store.traces.list();
    assert.ok(traces.every((trace) => trace.keyId !== null), "no trace without a key");
    assert.ok(traces.every((trace) => trace.errorCode !== "invalid_json" && trace.errorCode !== "unauthorized" && trace.errorCode !== "unsupported_media_type"));
    const metrics = await (await fetch(`${hostile.gateway.url}/metrics`, { headers: { authorization: `Bearer ${hostile.secrets.ADMIN}` } })).text();
    const unauthorized = Number(/switchyard_rejected_requests_total\{endpoint="\/v1\/chat\/completions",code="unauthorized"\} (\d+)/.exec(metrics)?.[1]);
    assert.equal(unauthorized, requestCases.filter((item) => item.code === "unauthorized" && (item.path ?? "/v1/chat/completions") === "/v1/chat/completions").length);
    assert.match(metrics, /switchyard_rejected_requests_total\{endpoint="\/v1\/chat\/completions",code="invalid_json"\} \d+/);
  });
});
