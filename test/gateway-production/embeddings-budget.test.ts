import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { parseConfig, type GatewayConfig } from "../../src/gateway/config.js";
import { startGateway, type GatewayServer } from "../../src/gateway/serve.js";
import { orderedEngine } from "./scripted-upstream.js";

/** An embeddings upstream that bills every input byte as a token (the most a byte-level tokenizer can), or reports no usage. */
async function startEmbeddingsUpstream(reportUsage: () => boolean): Promise<{ baseUrl: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { input: string | string[] };
      const inputs = typeof body.input === "string" ? [body.input] : body.input;
      const tokens = inputs.reduce((sum, text) => sum + Buffer.byteLength(text), 0);
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ object: "list", model: "embedder", data: inputs.map((_, index) => ({ object: "embedding", index, embedding: [0.1, 0.2] })), ...(reportUsage() ? { usage: { prompt_tokens: tokens, total_tokens: tokens } } : {}) }));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, close: () => new Promise<void>((done) => server.close(() => done())) };
}

describe("embeddings reserve their worst case", { timeout: 30_000 }, () => {
  let usage = true;
  let upstream: Awaited<ReturnType<typeof startEmbeddingsUpstream>>;
  let gateway: GatewayServer;
  let config: GatewayConfig;
  before(async () => {
    upstream = await startEmbeddingsUpstream(() => usage);
    // $100 per million tokens: one token is $0.0001.
    config = parseConfig({ upstreams: [{ name: "u", baseUrl: upstream.baseUrl }], targets: [{ id: "embedder", upstream: "u", inputUsdPerMTok: 100, outputUsdPerMTok: 0 }], traces: { flushIntervalMs: 20 }, logging: { requests: false } }, "embeddings.yaml");
    gateway = await startGateway({ config, engine: orderedEngine(config.targets), port: 0 });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  const embed = (key: string, input: string | string[]) =>
    fetch(`${gateway.url}/v1/embeddings`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: JSON.stringify({ model: "embedder", input, encoding_format: "float" }) });

  test("concurrent requests whose input bills more tokens than characters ÷ 4 never overspend a small budget", async () => {
    const budgetUsd = 0.02;
    const { key, record } = await gateway.services.keys.create({ name: "cjk", budgetUsd });
    // 20 CJK characters: 5 tokens by characters ÷ 4, 60 billed (3 bytes each): $0.006 per request.
    const input = "数据".repeat(10);
    const responses = await Promise.all(Array.from({ length: 10 }, () => embed(key, [input])));
    const statuses = responses.map((response) => response.status);
    await Promise.all(responses.map((response) => response.arrayBuffer()));
    await gateway.services.flush();
    const totals = await gateway.services.budgets.totals(record);
    assert.equal(statuses.filter((status) => status === 200).length, 3, `three $0.006 worst cases fit $0.02: ${JSON.stringify(statuses)}`);
    assert.ok(statuses.every((status) => status === 200 || status === 429));
    assert.ok(Math.abs(totals.spentUsd - 0.018) < 1e-9, `spent $${totals.spentUsd}`);
    assert.equal(totals.reservedUsd, 0);
  });

  test("an answer without usage is billed the worst case", async () => {
    const { key, record } = await gateway.services.keys.create({ name: "no-usage", budgetUsd: 1 });
    usage = false;
    try {
      const response = await embed(key, ["héllo", "wörld"]);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("x-switchyard-cost-usd"), null, "no usage: no cost to tell (as for chat completions)");
      await response.arrayBuffer();
      await gateway.services.flush();
      // 6 + 6 bytes = 12 tokens at most.
      assert.ok(Math.abs((await gateway.services.budgets.totals(record)).spentUsd - 0.0012) < 1e-12);
    } finally {
      usage = true;
    }
  });
});
