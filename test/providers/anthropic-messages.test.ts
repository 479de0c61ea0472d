import assert from "node:assert/strict";
import { test } from "node:test";
import OpenAI from "openai";
import { anthropicRequestOf, chatCompletionOfAnthropic, createAnthropicMessagesAdapter } from "../../src/providers/anthropic-messages.js";
import { createAnthropicStreamTranslator } from "../../src/providers/anthropic-stream.js";
import { anthropicStreamText } from "./anthropic-fixtures.js";

const context = { model: "claude-target", upstreamName: "anthropic", now: 1_700_000_000_000 };

test("request: system, images, tool calls and results, merged turns, mapped parameters", () => {
  const request = anthropicRequestOf(
    {
      model: "auto",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "developer", content: [{ type: "text", text: "Use tools." }] },
        { role: "user", content: [{ type: "text", text: "What is in this image?" }, { type: "image_url", image_url: { url: "data:image/png;base64,iVBOR" } }] },
        { role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.jpg" } }] },
        { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"cat"}' } }] },
        { role: "tool", tool_call_id: "call_1", content: "a cat" },
        { role: "assistant", content: "A cat." },
      ],
      tools: [{ type: "function", function: { name: "lookup", description: "Look up", parameters: { type: "object", properties: { q: { type: "string" } } } } }],
      tool_choice: "required",
      parallel_tool_calls: false,
      temperature: 1.7,
      top_p: 0.9,
      stop: "END",
      user: "user-42",
      max_tokens: 300,
      seed: 7,
      frequency_penalty: 0.5,
      top_k: 5,
      stream: true,
      stream_options: { include_usage: true },
    },
    "claude-sonnet",
  );
  assert.deepEqual(request, {
    top_k: 5,
    model: "claude-sonnet",
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this image?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBOR" } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        ],
      },
      { role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "lookup", input: { q: "cat" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_1", content: "a cat" }] },
      { role: "assistant", content: [{ type: "text", text: "A cat." }] },
    ],
    system: "Be brief.\n\nUse tools.",
    max_tokens: 300,
    temperature: 1,
    top_p: 0.9,
    stop_sequences: ["END"],
    stream: true,
    metadata: { user_id: "user-42" },
    tools: [{ name: "lookup", input_schema: { type: "object", properties: { q: { type: "string" } } }, description: "Look up" }],
    tool_choice: { type: "any", disable_parallel_tool_use: true },
  });
});

test("request: defaults, tool_choice forms, legacy functions, JSON mode, errors that name the field", () => {
  const minimal = anthropicRequestOf({ messages: [{ role: "user", content: "hi" }] }, "c", { defaultMaxTokens: 99 });
  assert.deepEqual(minimal, { model: "c", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], max_tokens: 99 });
  const choice = (tool_choice: unknown) => anthropicRequestOf({ messages: [{ role: "user", content: "x" }], tools: [{ type: "function", function: { name: "f" } }], tool_choice }, "c").tool_choice;
  assert.deepEqual(choice("none"), { type: "none" });
  assert.deepEqual(choice("auto"), { type: "auto" });
  assert.deepEqual(choice({ type: "function", function: { name: "f" } }), { type: "tool", name: "f" });
  assert.throws(() => choice({ type: "function" }), { code: "invalid_request", param: "tool_choice" });
  const legacy = anthropicRequestOf({ messages: [{ role: "user", content: "x" }], functions: [{ name: "g", parameters: { type: "object" } }], function_call: { name: "g" } }, "c");
  assert.deepEqual(legacy.tools, [{ name: "g", input_schema: { type: "object" } }]);
  assert.deepEqual(legacy.tool_choice, { type: "tool", name: "g" });
  const json = anthropicRequestOf({ messages: [{ role: "user", content: "x" }], response_format: { type: "json_schema", json_schema: { name: "s", schema: { type: "object" } } } }, "c");
  assert.match(String(json.system), /JSON object.*\{"type":"object"\}/);
  assert.equal(anthropicRequestOf({ messages: [{ role: "user", content: "x" }], max_completion_tokens: 5, max_tokens: 9 }, "c").max_tokens, 5);
  assert.throws(() => anthropicRequestOf({ messages: [{ role: "user", content: "x" }], n: 2 }, "c"), { param: "n", status: 400 });
  assert.throws(() => anthropicRequestOf({ messages: [{ role: "wizard", content: "x" }] }, "c"), { param: "messages[0].role" });
  assert.throws(() => anthropicRequestOf({ messages: [{ role: "tool", content: "x" }] }, "c"), { param: "messages[0].tool_call_id" });
  assert.throws(() => anthropicRequestOf({ messages: [{ role: "user", content: [{ type: "input_audio" }] }] }, "c"), { param: "messages[0].content[0]" });
  assert.throws(() => anthropicRequestOf({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "ftp://x" } }] }] }, "c"), { param: "messages[0].content[0].image_url.url" });
  assert.throws(
    () => anthropicRequestOf({ messages: [{ role: "assistant", tool_calls: [{ id: "1", function: { name: "f", arguments: "{oops" } }] }] }, "c"),
    { param: "messages[0].tool_calls[0].function.arguments" },
  );
  assert.throws(() => anthropicRequestOf({ messages: "x" }, "c"), { param: "messages" });
  const adapter = createAnthropicMessagesAdapter();
  assert.equal(adapter.chatRequest({ messages: [] }, "c").path, "/messages");
  assert.deepEqual(adapter.authHeaders("k"), { "x-api-key": "k" });
  assert.deepEqual(adapter.staticHeaders, { "anthropic-version": "2023-06-01" });
});

const anthropicMessage = {
  id: "msg_1",
  type: "message",
  role: "assistant",
  model: "claude-sonnet",
  content: [
    { type: "thinking", thinking: "hmm" },
    { type: "text", text: "Let me look. " },
    { type: "tool_use", id: "toolu_1", name: "lookup", input: { q: "cat" } },
  ],
  stop_reason: "tool_use",
  usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 7 },
};

test("response: text, tool calls, finish reason and usage in OpenAI's shape", () => {
  assert.deepEqual(chatCompletionOfAnthropic(anthropicMessage, context), {
    id: "msg_1",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "claude-target",
    choices: [{
      index: 0,
      message: { role: "assistant", content: "Let me look. ", refusal: null, tool_calls: [{ id: "toolu_1", type: "function", function: { name: "lookup", arguments: '{"q":"cat"}' } }] },
      logprobs: null,
      finish_reason: "tool_calls",
    }],
    usage: { prompt_tokens: 15, completion_tokens: 7, total_tokens: 22 },
  });
  const length = chatCompletionOfAnthropic({ ...anthropicMessage, content: [], stop_reason: "max_tokens" }, context) as { choices: Array<{ finish_reason: string; message: { content: unknown } }> };
  assert.equal(length.choices[0]?.finish_reason, "length");
  assert.equal(length.choices[0]?.message.content, null);
  assert.throws(() => chatCompletionOfAnthropic({ type: "message" }, context), { kind: "malformed_response" });
});

test("the official SDK parses a translated answer", async () => {
  const body = JSON.stringify(chatCompletionOfAnthropic(anthropicMessage, context));
  const client = new OpenAI({ apiKey: "x", baseURL: "http://local/v1", fetch: async () => new Response(body, { headers: { "content-type": "application/json" } }) });
  const completion = await client.chat.completions.create({ model: "claude-target", messages: [{ role: "user", content: "hi" }] });
  const call = completion.choices[0]?.message.tool_calls?.[0];
  assert.ok(call && call.type === "function");
  assert.deepEqual(JSON.parse(call.function.arguments), { q: "cat" });
});

function translate(text: string, chunkSize: number): { out: string; completed: boolean } {
  const translator = createAnthropicStreamTranslator(context);
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  let out = "";
  for (let offset = 0; offset < bytes.length; offset += chunkSize) {
    const piece = translator.push(bytes.subarray(offset, offset + chunkSize));
    if (piece) out += decoder.decode(piece);
  }
  const rest = translator.flush();
  if (rest) out += decoder.decode(rest);
  return { out, completed: translator.completed };
}

test("stream: OpenAI chunks, usage chunk and [DONE], whatever the chunking", () => {
  const whole = translate(anthropicStreamText, anthropicStreamText.length);
  assert.equal(whole.completed, true);
  for (const size of [1, 3, 17, 64]) assert.equal(translate(anthropicStreamText, size).out, whole.out, `chunk size ${size}`);
  const events = whole.out.split("\n\n").filter(Boolean);
  assert.ok(events.every((event) => event.startsWith("data: ")));
  assert.equal(events.at(-1), "data: [DONE]");
  const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)));
  assert.deepEqual(chunks[0].choices[0].delta, { role: "assistant", content: "" });
  assert.equal(chunks[0].id, "msg_9");
  assert.equal(chunks[0].model, "claude-target");
  assert.deepEqual(chunks.at(-1).usage, { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 });
  assert.deepEqual(chunks.at(-1).choices, []);
  assert.equal(chunks.at(-2).choices[0].finish_reason, "tool_calls");
});

test("the official SDK accumulates a translated stream, tool call included", async () => {
  const { out } = translate(anthropicStreamText, 5);
  const client = new OpenAI({
    apiKey: "x",
    baseURL: "http://local/v1",
    fetch: async () => new Response(out, { headers: { "content-type": "text/event-stream" } }),
  });
  const stream = client.chat.completions.stream({ model: "claude-target", messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } });
  const final = await stream.finalChatCompletion();
  const message = final.choices[0]?.message;
  assert.equal(message?.content, "Hello ✓");
  const call = message?.tool_calls?.[0];
  assert.ok(call && call.type === "function");
  assert.equal(call.id, "toolu_9");
  assert.equal(call.function.name, "lookup");
  assert.deepEqual(JSON.parse(call.function.arguments), { q: "cat" });
  assert.equal(final.choices[0]?.finish_reason, "tool_calls");
  assert.equal(final.usage?.total_tokens, 32);
});

test("stream: an error event becomes an OpenAI error event; a cut stream is not completed", async () => {
  const failing = `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { id: "m", usage: {} } })}\n\nevent: error\ndata: ${JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })}\n\n`;
  const { out, completed } = translate(failing, 7);
  assert.equal(completed, false);
  assert.match(out, /data: \{"error":\{"message":"Overloaded","type":"overloaded_error"/);
  const client = new OpenAI({ apiKey: "x", baseURL: "http://local/v1", maxRetries: 0, fetch: async () => new Response(out, { headers: { "content-type": "text/event-stream" } }) });
  const stream = await client.chat.completions.create({ model: "c", messages: [{ role: "user", content: "hi" }], stream: true });
  await assert.rejects(async () => {
    for await (const _chunk of stream) void _chunk;
  }, /Overloaded/);
  const cut = translate(anthropicStreamText.slice(0, anthropicStreamText.indexOf("event: message_delta")), 11);
  assert.equal(cut.completed, false);
  assert.doesNotMatch(cut.out, /\[DONE\]/);
});
