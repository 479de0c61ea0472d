import assert from "node:assert/strict";
import { test } from "node:test";
import { filterTargetsByNeeds, requestNeedsOf, targetCapabilitiesSchema, tokensPerImage } from "../../src/providers/request-needs.js";
import { promptTextOf } from "../../src/core/query.js";
import { estimateTokens } from "../../src/core/tokens.js";

test("needs: token estimate, tools, JSON mode, images, max tokens", () => {
  assert.deepEqual(requestNeedsOf({ messages: [{ role: "user", content: "x".repeat(400) }] }), {
    promptTokens: 100, maxOutputTokens: undefined, tools: false, jsonMode: false, vision: false,
    // The budget's bound: "user" + 400 bytes + 4 per message + 3 reply priming.
    promptTokenBound: 4 + 400 + 4 + 3, promptPieces: ["user", "x".repeat(400)], messageCount: 1, imageCount: 0, choices: 1,
  });
  const rich = requestNeedsOf({
    messages: [{ role: "user", content: [{ type: "text", text: "abcd" }, { type: "image_url", image_url: { url: "https://x/y.png" } }] }],
    tools: [{ type: "function", function: { name: "f" } }],
    response_format: { type: "json_schema", json_schema: {} },
    max_tokens: 50,
  });
  assert.equal(rich.vision, true);
  assert.equal(rich.tools, true);
  assert.equal(rich.jsonMode, true);
  assert.equal(rich.maxOutputTokens, 50);
  assert.ok(rich.promptTokens > 1 + tokensPerImage);
  assert.ok(rich.promptTokenBound > 4 + 1_445, "the bound counts text, schemas and the image's maximum");
  assert.equal(requestNeedsOf({ messages: [], n: 4 }).choices, 4);
  assert.equal(requestNeedsOf({ messages: [], max_completion_tokens: 7, max_tokens: 9 }).maxOutputTokens, 7);
  assert.equal(requestNeedsOf({ messages: "nope", tools: [], response_format: { type: "text" } }).tools, false);
  assert.equal(requestNeedsOf({ functions: [{ name: "f" }] }).tools, true);
});

test("targets are excluded only for what they cannot do", () => {
  const targets = [
    { id: "small", contextWindow: 100 },
    { id: "text-only", contextWindow: 10_000, capabilities: targetCapabilitiesSchema.parse({ vision: false }) },
    { id: "no-tools", contextWindow: 10_000, capabilities: { tools: false, jsonMode: false } },
    { id: "any", contextWindow: 10_000 },
  ];
  const needs = requestNeedsOf({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/png;base64,AA" } }] }], tools: [{ type: "function", function: { name: "f" } }] });
  const { able, unable } = filterTargetsByNeeds(targets, needs);
  assert.deepEqual(able.map((target) => target.id), ["any"]);
  assert.match(unable.get("small")?.[0] ?? "", /context window 100/);
  assert.deepEqual(unable.get("text-only"), ["no image input"]);
  assert.deepEqual(unable.get("no-tools"), ["no tool calls"]);
  const plain = filterTargetsByNeeds(targets, requestNeedsOf({ messages: [{ role: "user", content: "hi" }], max_tokens: 100 }));
  assert.deepEqual(plain.able.map((target) => target.id), ["text-only", "no-tools", "any"], "max_tokens counts against the context window");
  assert.throws(() => targetCapabilitiesSchema.parse({ vison: true }));
});

test("the prompt estimate is the characters ÷ 4 of the prompt text (counted without building the text)", () => {
  const cases: Array<Array<Record<string, unknown>>> = [
    [],
    [{ role: "user", content: "" }],
    [{ role: "system", content: "Be brief." }, { role: "user", content: "héllo wörld, 🎉 twice 🎉" }],
    [{ role: "user", content: [{ type: "text", text: "part one" }, { type: "image_url", image_url: { url: "https://x/y.png" } }, { type: "text", text: "part two!" }] }, { role: "assistant", content: null }],
    [{ role: "user", content: [{ type: "text" }, { type: "text", text: 5 }, { type: "other", text: "not counted" }] }, { role: "user", content: "a".repeat(4097) }],
  ];
  for (const messages of cases) {
    assert.equal(requestNeedsOf({ messages }).promptTokens - tokensPerImage * requestNeedsOf({ messages }).imageCount, estimateTokens(promptTextOf(messages as never)), JSON.stringify(messages));
  }
});
