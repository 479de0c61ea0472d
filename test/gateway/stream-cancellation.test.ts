import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { request } from "undici";
import { parseConfig } from "../../src/gateway/config.js";
import { startGateway } from "../../src/gateway/serve.js";
import { stubEngine } from "./gateway-test-kit.js";

test("a client leaving mid-stream closes the upstream response", { timeout: 10_000 }, async () => {
  let upstreamClosed: () => void = () => {};
  const upstreamClosedPromise = new Promise<void>((resolve) => (upstreamClosed = resolve));
  const upstream = createServer((incoming, response) => {
    incoming.resume();
    incoming.on("end", () => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.write('data: {"id":"c","model":"slow","choices":[{"index":0,"delta":{"content":"first"}}]}\n\n');
      // …and never finishes: only the client leaving can end this response.
      response.on("close", () => upstreamClosed());
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const config = parseConfig(
    {
      upstreams: [{ name: "slow", baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1` }],
      targets: [{ id: "slow", inputUsdPerMTok: 1, outputUsdPerMTok: 1 }],
    },
    "cancel.yaml",
  );
  const gateway = await startGateway({ config, engine: stubEngine(config), port: 0 });
  try {
    const controller = new AbortController();
    const response = await request(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "go" }] }),
      signal: controller.signal,
    });
    assert.equal(response.statusCode, 200);
    for await (const chunk of response.body) {
      assert.match(Buffer.from(chunk).toString("utf8"), /"content":"first"/);
      break;
    }
    controller.abort();
    await upstreamClosedPromise;
  } finally {
    await gateway.close();
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
  }
});
