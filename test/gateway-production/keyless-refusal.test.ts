import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { describe, test } from "node:test";
import type { GatewayLogger } from "../../src/gateway/gateway-logger.js";
import { closeAll, productionConfig, scriptedUpstreams, startProductionGateway } from "./production-kit.js";

const body = JSON.stringify({ model: "a", messages: [{ role: "user", content: "hello" }], max_tokens: 5 });

/** A logger that keeps its lines. */
function capturingLogger() {
  const lines: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
  const logger: GatewayLogger = {
    info: (fields, message) => lines.push({ level: "info", message, fields }),
    warn: (fields, message) => lines.push({ level: "warn", message, fields }),
    error: (fields, message) => lines.push({ level: "error", message, fields }),
  };
  return { logger, lines };
}

/** Sends headers announcing a 100 kB body and only its first bytes; resolves with the answer. */
function keylessWithUnfinishedBody(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(`${url}/v1/chat/completions`);
    const request = httpRequest({ host: target.hostname, port: target.port, path: target.pathname, method: "POST", headers: { "content-type": "application/json", "content-length": "100000" } }, (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    request.on("error", reject);
    request.write('{"model":"a","messages":[');
  });
}

describe("requests without a key once keys exist", { timeout: 30_000 }, () => {
  test("get a prebuilt OpenAI-shaped 401 before their body is read, counted in the metrics, logged as a summary instead of a line each", async () => {
    const upstreams = await scriptedUpstreams("a");
    const { logger, lines } = capturingLogger();
    let clock = 1_000_000;
    const { gateway } = await startProductionGateway(productionConfig(upstreams), { logger, logRequests: true, now: () => clock });
    try {
      const { key } = await gateway.services.keys.create({ name: "team" });
      // The first authenticated request tells the gateway keys exist.
      const ok = await fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body });
      assert.equal(ok.status, 200);
      const before = lines.length;

      const unfinished = await keylessWithUnfinishedBody(gateway.url);
      assert.equal(unfinished.status, 401);
      assert.deepEqual(JSON.parse(unfinished.text), { error: { message: "Missing API key: send `Authorization: Bearer sy-…`", type: "authentication_error", param: null, code: "unauthorized" } });
      for (let index = 0; index < 40; index++) {
        const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body });
        assert.equal(response.status, 401);
        assert.equal(((await response.json()) as { error: { code: string } }).error.code, "unauthorized");
      }
      assert.deepEqual(lines.slice(before), [], "no log line per refused request");
      clock += 10_001;
      assert.equal((await fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body })).status, 401);
      assert.deepEqual(
        lines.slice(before).map((line) => [line.level, line.message, line.fields.refused]),
        [["warn", "requests without an API key refused", 42]],
        "one summary line for the interval",
      );

      // A wrong key still goes the full way (hashed and looked up), with its own 401.
      const wrong = await fetch(`${gateway.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer sy-wrong" }, body });
      assert.equal(wrong.status, 401);
      const metrics = (await gateway.services.metrics.render()).text;
      assert.equal(Number(/switchyard_rejected_requests_total\{endpoint="\/v1\/chat\/completions",code="unauthorized"\} (\d+)/.exec(metrics)?.[1]), 43);
      await gateway.services.flush();
      assert.equal((await gateway.services.store.traces.list()).filter((trace) => trace.keyId === null).length, 0, "no keyless trace");
    } finally {
      await closeAll(gateway, upstreams);
    }
  });
});
