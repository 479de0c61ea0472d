import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import OpenAI from "openai";
import { parseConfig } from "../../src/gateway/config.js";
import type { GatewayServer } from "../../src/gateway/serve.js";
import { anthropicStreamText } from "../providers/anthropic-fixtures.js";
import { closeAll, scriptedUpstreams, startProductionGateway } from "./production-kit.js";
import type { ScriptedUpstream } from "./scripted-upstream.js";

interface Seen {
  url: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

/** A scripted Anthropic Messages API: JSON answers with a tool call, or the recorded event stream. */
async function startAnthropicUpstream(): Promise<{ baseUrl: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    request.on("end", () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      seen.push({ url: request.url ?? "", headers: request.headers, body });
      if (body.stream === true) {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.end(anthropicStreamText);
        return;
      }
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          id: "msg_json",
          type: "message",
          role: "assistant",
          model: body.model,
          content: [{ type: "text", text: "Checking." }, { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "weather" } }],
          stop_reason: "tool_use",
          usage: { input_tokens: 20, output_tokens: 10 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "lookup", description: "Look something up", parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } } }];

describe("providers end to end: Anthropic Messages, Azure OpenAI, embeddings", { timeout: 30_000 }, () => {
  let anthropic: Awaited<ReturnType<typeof startAnthropicUpstream>>;
  let scripted: Record<string, ScriptedUpstream>;
  let gateway: GatewayServer;
  let client: OpenAI;

  before(async () => {
    anthropic = await startAnthropicUpstream();
    scripted = await scriptedUpstreams("azure", "openai");
    const config = parseConfig(
      {
        upstreams: [
          { name: "anthropic", kind: "anthropic", baseUrl: anthropic.baseUrl, apiKey: "sk-ant-test", defaultMaxTokens: 512 },
          { name: "azure", kind: "azure-openai", baseUrl: scripted.azure!.url, apiKey: "azure-secret", apiVersion: "2024-06-01" },
          { name: "openai", baseUrl: scripted.openai!.baseUrl, apiKey: "sk-openai" },
        ],
        targets: [
          { id: "claude", upstream: "anthropic", upstreamModel: "claude-sonnet-4-5", inputUsdPerMTok: 3, outputUsdPerMTok: 15 },
          { id: "gpt-azure", upstream: "azure", upstreamModel: "my-deployment", inputUsdPerMTok: 1, outputUsdPerMTok: 2 },
          { id: "embedder", upstream: "openai", upstreamModel: "text-embedding-3-small", inputUsdPerMTok: 0.02, outputUsdPerMTok: 0 },
        ],
      },
      "providers.yaml",
    );
    ({ gateway, client } = await startProductionGateway(config));
  });
  after(async () => {
    await closeAll(gateway, scripted);
    await anthropic.close();
  });

  test("anthropic, plain: tools and system translated, the tool call comes back in OpenAI's shape, costed", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: "claude", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Weather?" }], tools, tool_choice: "auto", temperature: 0.3 })
      .withResponse();
    const call = data.choices[0]?.message.tool_calls?.[0];
    assert.ok(call?.type === "function");
    assert.equal(call.function.name, "lookup");
    assert.deepEqual(JSON.parse(call.function.arguments), { q: "weather" });
    assert.equal(data.choices[0]?.finish_reason, "tool_calls");
    assert.equal(data.model, "claude");
    assert.deepEqual(data.usage, { prompt_tokens: 20, completion_tokens: 10, total_tokens: 30 });
    assert.equal(response.headers.get("x-switchyard-cost-usd"), String((20 * 3 + 10 * 15) / 1e6));
    const seen = anthropic.seen.at(-1);
    assert.equal(seen?.url, "/v1/messages");
    assert.equal(seen?.headers["x-api-key"], "sk-ant-test");
    assert.equal(seen?.headers["anthropic-version"], "2023-06-01");
    assert.equal(seen?.headers.authorization, undefined);
    assert.equal(seen?.body.system, "Be brief.");
    assert.equal(seen?.body.model, "claude-sonnet-4-5");
    // The gateway always sends its output cap (limits.defaultMaxOutputTokens here), so the upstream's own default is not needed.
    assert.equal(seen?.body.max_tokens, 4096);
    assert.deepEqual(seen?.body.tool_choice, { type: "auto" });
    assert.deepEqual((seen?.body.tools as unknown[])[0], { name: "lookup", description: "Look something up", input_schema: tools[0]!.type === "function" ? tools[0]!.function.parameters : {} });
  });

  test("anthropic, streamed: the SDK reassembles text and the tool call; usage only when asked", async () => {
    const runner = client.chat.completions.stream({ model: "claude", messages: [{ role: "user", content: "hi" }], tools });
    const final = await runner.finalChatCompletion();
    assert.equal(final.choices[0]?.message.content, "Hello ✓");
    const call = final.choices[0]?.message.tool_calls?.[0];
    assert.ok(call?.type === "function");
    assert.deepEqual(JSON.parse(call.function.arguments), { q: "cat" });
    assert.equal(anthropic.seen.at(-1)?.body.stream, true);

    const plain = await client.chat.completions.create({ model: "claude", messages: [{ role: "user", content: "hi" }], stream: true });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of plain) chunks.push(chunk);
    assert.ok(chunks.every((chunk) => chunk.choices.length === 1), "no usage-only chunk the client did not ask for");
    await gateway.services.flush();
    const [trace] = await gateway.services.store.traces.list();
    assert.equal(trace?.inputTokens, 12, "but the gateway saw the usage and costed the stream");
    assert.equal(trace?.outputTokens, 20);
  });

  test("azure: deployment path, api-version and api-key header", async () => {
    const data = await client.chat.completions.create({ model: "gpt-azure", messages: [{ role: "user", content: "hi" }], n: 1, user: "u-1", response_format: { type: "json_object" } });
    assert.equal(data.model, "gpt-azure");
    const seen = scripted.azure?.seen.at(-1);
    assert.equal(seen?.path, "/openai/deployments/my-deployment/chat/completions?api-version=2024-06-01");
    assert.equal(seen?.headers["api-key"], "azure-secret");
    assert.equal(seen?.headers.authorization, undefined);
    assert.deepEqual(seen?.body.response_format, { type: "json_object" });
    assert.equal(seen?.body.user, "u-1");
  });

  test("embeddings: the SDK's default base64 and explicit floats both decode to the upstream's vectors", async () => {
    const viaBase64 = await client.embeddings.create({ model: "embedder", input: ["one", "two"] });
    assert.deepEqual(viaBase64.data.map((item) => item.embedding), [[0.25, -0.5, 0], [0.25, -0.5, 1]]);
    assert.equal(viaBase64.model, "embedder");
    const seen = scripted.openai?.seen.at(-1);
    assert.equal(seen?.path, "/v1/embeddings");
    assert.equal(seen?.body.encoding_format, "float", "upstreams are asked for floats");
    assert.equal(seen?.body.model, "text-embedding-3-small");
    const viaFloat = await client.embeddings.create({ model: "embedder", input: "one", encoding_format: "float" });
    assert.deepEqual(viaFloat.data[0]?.embedding, [0.25, -0.5, 0]);
    await assert.rejects(client.embeddings.create({ model: "claude", input: "x" }), (error: unknown) => error instanceof OpenAI.BadRequestError && /no embeddings endpoint/.test(error.message));
  });

  test("request needs filter candidates: a target declared without vision is not routed an image", async () => {
    const upstreams = await scriptedUpstreams("text", "vision");
    const config = parseConfig(
      {
        upstreams: [{ name: "text", baseUrl: upstreams.text!.baseUrl }, { name: "vision", baseUrl: upstreams.vision!.baseUrl }],
        targets: [
          { id: "text", upstream: "text", inputUsdPerMTok: 1, outputUsdPerMTok: 1, capabilities: { vision: false, tools: false } },
          { id: "vision", upstream: "vision", inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 2_000 },
        ],
      },
      "needs.yaml",
    );
    const { gateway: routed, client: routedClient } = await startProductionGateway(config);
    try {
      const image = { role: "user" as const, content: [{ type: "text" as const, text: "what is this?" }, { type: "image_url" as const, image_url: { url: "data:image/png;base64,AAAA" } }] };
      assert.equal((await routedClient.chat.completions.create({ model: "auto", messages: [image] })).model, "vision");
      assert.equal((await routedClient.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hi" }], tools })).model, "vision");
      assert.equal((await routedClient.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "word ".repeat(2_000) }] })).model, "text", "too long for vision's window");
      await assert.rejects(
        routedClient.chat.completions.create({ model: "auto", messages: [image, { role: "user", content: "word ".repeat(2_000) }] }),
        (error: unknown) => error instanceof OpenAI.UnprocessableEntityError && /text: no image input; vision: context window/.test(error.message),
      );
    } finally {
      await closeAll(routed, upstreams);
    }
  });
});
