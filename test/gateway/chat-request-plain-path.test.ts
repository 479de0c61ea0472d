import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom, type Random } from "../../src/core/random.js";
import { chatCompletionRequestSchema, parseChatCompletionRequest, plainChatRequestOf } from "../../src/gateway/chat-request.js";

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** Values of every JSON type, on and around the schema's boundaries. */
const values: unknown[] = [
  null, true, false, 0, -0, 1, -1, 0.5, 1.5, 2, 2.0000001, -2, -2.0000001, 3, 128, 129, 20, 21, 1e21, -1e21, 2 ** 53, 2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, "", "x", "auto", "a".repeat(256), "a".repeat(257), "a".repeat(512), "a".repeat(513),
  [], [1], ["a"], ["a", "b", "c", "d", "e"], {}, { type: "text" }, { include_usage: true }, { include_usage: "yes" }, { a: 1 },
];
const fields = [
  "stream", "stream_options", "temperature", "top_p", "n", "max_tokens", "max_completion_tokens", "presence_penalty", "frequency_penalty",
  "stop", "seed", "user", "logprobs", "top_logprobs", "logit_bias", "parallel_tool_calls", "tools", "tool_choice", "response_format",
  "allowed_models", "quality", "metadata", "store", "service_tier", "__proto__", "constructor", "hasOwnProperty", "toString",
];
const roles = ["system", "developer", "user", "assistant", "tool", "function", "robot", "", "USER"];

function randomMessage(random: Random): unknown {
  const roll = random();
  if (roll < 0.05) return pick(random, values);
  const message: Record<string, unknown> = {};
  if (random() < 0.95) message.role = random() < 0.9 ? pick(random, roles) : pick(random, values);
  if (random() < 0.9) message.content = random() < 0.7 ? "hello there" : random() < 0.5 ? [{ type: "text", text: "hi" }] : pick(random, values);
  if (random() < 0.15) message.name = pick(random, values);
  if (random() < 0.05) message.tool_calls = [{ id: "call_1", type: "function", function: { name: "f", arguments: "{}" } }];
  if (random() < 0.05) message.tool_call_id = pick(random, values);
  if (random() < 0.1) message.extra = pick(random, values);
  return message;
}

/** A body as JSON.parse would give it (own `__proto__` keys included). */
function randomBody(random: Random): unknown {
  if (random() < 0.03) return pick(random, values);
  const body: Record<string, unknown> = {};
  if (random() < 0.95) body.model = random() < 0.85 ? pick(random, ["auto", "gpt-4o", "a".repeat(256)]) : pick(random, values);
  if (random() < 0.95) {
    const count = random() < 0.05 ? 0 : 1 + Math.floor(random() * 3);
    body.messages = random() < 0.03 ? pick(random, values) : Array.from({ length: count }, () => randomMessage(random));
  }
  const extra = Math.floor(random() * 4);
  let json = JSON.stringify(body);
  for (let i = 0; i < extra; i++) {
    const field = pick(random, fields);
    json = `${json.slice(0, -1)}${json.length > 2 ? "," : ""}${JSON.stringify(field)}:${JSON.stringify(pick(random, values))}}`;
  }
  return JSON.parse(json);
}

test("the zod-free path never accepts a body the schema rejects, and returns what the schema would", () => {
  const random = createRandom(4);
  let accepted = 0;
  for (let i = 0; i < 40_000; i++) {
    const body = randomBody(random);
    const plain = plainChatRequestOf(body);
    if (plain === undefined) continue;
    accepted++;
    const parsed = chatCompletionRequestSchema.safeParse(body);
    assert.ok(parsed.success, `accepted without zod but the schema rejects: ${JSON.stringify(body)} (${parsed.error?.issues[0]?.message})`);
    assert.deepEqual(plain, parsed.data, JSON.stringify(body));
  }
  // The generator must exercise the path (else this test could not fail).
  assert.ok(accepted > 1_000, `only ${accepted} bodies took the zod-free path`);
});

test("the zod-free path takes the common request and leaves the rest to the schema", () => {
  const common = { model: "auto", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hi", name: "ann" }], temperature: 0.2, max_tokens: 64, stream: true, seed: 7, user: "u1", metadata: { a: 1 } };
  assert.equal(plainChatRequestOf(common), common);
  for (const body of [
    { ...common, tools: [{ type: "function", function: { name: "f" } }] },
    { ...common, messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] },
    { ...common, temperature: 3 },
    { ...common, max_tokens: 0 },
    { ...common, n: 1.5 },
    { ...common, user: null },
    { ...common, model: "" },
    { ...common, messages: [] },
    { ...common, messages: [{ role: "robot", content: "hi" }] },
  ]) {
    assert.equal(plainChatRequestOf(body), undefined, JSON.stringify(body));
  }
  // Invalid bodies still get the schema's field-naming error.
  assert.throws(() => parseChatCompletionRequest({ ...common, temperature: 3 }), /temperature: must be in \[0, 2\]/);
  assert.throws(() => parseChatCompletionRequest({ ...common, messages: [{ role: "robot", content: "hi" }] }), /messages\[0\]\.role/);
});
