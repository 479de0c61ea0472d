import assert from "node:assert/strict";
import { test } from "node:test";
import { createAzureOpenAIAdapter, defaultAzureApiVersion } from "../../src/providers/azure-openai.js";
import { base64OfEmbedding, embeddingOfBase64, withEmbeddingEncoding } from "../../src/providers/embedding-encoding.js";
import { createOpenAICompatibleAdapter } from "../../src/providers/openai-compatible.js";

const context = { model: "m", upstreamName: "u", now: 1_700_000_000_000 };

test("chat requests pass through every field, swap the model and ask usage for streams", () => {
  const adapter = createOpenAICompatibleAdapter();
  const body = {
    model: "auto",
    messages: [{ role: "user", content: "hi" }],
    tools: [{ type: "function", function: { name: "f", parameters: {} } }],
    tool_choice: "auto",
    response_format: { type: "json_object" },
    temperature: 0.2,
    n: 2,
    user: "u1",
    some_future_field: { nested: true },
  };
  const call = adapter.chatRequest(body, "llama3");
  assert.equal(call.path, "/chat/completions");
  assert.deepEqual(call.body, { ...body, model: "llama3" });
  assert.equal(body.model, "auto", "the client's body is not mutated");
  const streamed = adapter.chatRequest({ ...body, stream: true, stream_options: { include_usage: false, other: 1 } }, "llama3");
  assert.deepEqual(streamed.body.stream_options, { include_usage: true, other: 1 });
  assert.deepEqual(adapter.chatRequest({ ...body, stream: true }, "x").body.stream_options, { include_usage: true });
  assert.deepEqual(adapter.authHeaders("k"), { authorization: "Bearer k" });
  assert.equal(adapter.createStreamTranslator, undefined);
});

test("chat responses must look like a completion", () => {
  const adapter = createOpenAICompatibleAdapter();
  const completion = { id: "x", choices: [] };
  assert.equal(adapter.chatResponse(completion, context), completion);
  for (const bad of [null, "text", [], { choices: "no" }, {}]) {
    assert.throws(() => adapter.chatResponse(bad, context), { kind: "malformed_response", code: "upstream_error" });
  }
});

test("azure: deployment in the path, api-version query, api-key header", () => {
  const adapter = createAzureOpenAIAdapter({ apiVersion: "2024-06-01" });
  assert.equal(adapter.kind, "azure-openai");
  assert.equal(adapter.chatRequest({ messages: [] }, "gpt 4o").path, "/openai/deployments/gpt%204o/chat/completions?api-version=2024-06-01");
  assert.equal(adapter.embeddingsRequest?.({ input: "x" }, "emb").path, "/openai/deployments/emb/embeddings?api-version=2024-06-01");
  assert.deepEqual(adapter.authHeaders("secret"), { "api-key": "secret" });
  assert.match(createAzureOpenAIAdapter().chatRequest({}, "d").path, new RegExp(`api-version=${defaultAzureApiVersion}$`));
});

test("embeddings: floats requested upstream, encoded for the client as it asked", () => {
  const adapter = createOpenAICompatibleAdapter();
  assert.deepEqual(adapter.embeddingsRequest?.({ model: "auto", input: ["a"], encoding_format: "base64" }, "emb"), {
    path: "/embeddings",
    body: { model: "emb", input: ["a"], encoding_format: "float" },
  });
  const vector = [0.5, -1.25, 3.0000001, 0];
  const encoded = base64OfEmbedding(vector);
  assert.equal(Buffer.from(encoded, "base64").length, 16);
  assert.deepEqual(embeddingOfBase64(encoded), vector.map((value) => Math.fround(value)));
  const upstream = { object: "list", data: [{ object: "embedding", index: 0, embedding: vector }], model: "emb", usage: { prompt_tokens: 1, total_tokens: 1 } };
  const asBase64 = withEmbeddingEncoding(upstream, "base64", "u") as { data: Array<{ embedding: string }>; usage: unknown };
  assert.equal(asBase64.data[0]?.embedding, encoded);
  assert.deepEqual(asBase64.usage, upstream.usage);
  assert.deepEqual(withEmbeddingEncoding(upstream, "float", "u"), upstream);
  const fromBase64 = withEmbeddingEncoding({ data: [{ embedding: encoded }] }, "float", "u") as { data: Array<{ embedding: number[] }> };
  assert.deepEqual(fromBase64.data[0]?.embedding, vector.map((value) => Math.fround(value)));
  assert.throws(() => withEmbeddingEncoding({ data: [{}] }, "float", "u"), { kind: "malformed_response" });
  assert.throws(() => withEmbeddingEncoding("nope", "float", "u"), { kind: "malformed_response" });
});

test("the official SDK decodes the gateway's base64 embeddings", async () => {
  const { default: OpenAI } = await import("openai");
  const vector = [0.1, 0.2, -0.3];
  const body = JSON.stringify(withEmbeddingEncoding({ object: "list", data: [{ object: "embedding", index: 0, embedding: vector }], model: "e", usage: { prompt_tokens: 1, total_tokens: 1 } }, "base64", "u"));
  const client = new OpenAI({ apiKey: "x", baseURL: "http://local/v1", fetch: async () => new Response(body, { headers: { "content-type": "application/json" } }) });
  const result = await client.embeddings.create({ model: "e", input: "hi" });
  assert.deepEqual(result.data[0]?.embedding, vector.map((value) => Math.fround(value)));
});
