import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenAITokenizer } from "../../src/core/openai-tokenizer.js";
import { createDeliveredTokenCounter } from "../../src/gateway/delivered-token-counter.js";

const event = (delta: Record<string, unknown>) => `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", choices: [{ index: 0, delta }] })}\n\n`;

test("a cut stream is billed for the completion text it delivered: content, tool-call arguments, refusals", async () => {
  const bytes = createDeliveredTokenCounter(undefined);
  bytes.see(event({ role: "assistant", content: "" }) + event({ content: "Hé \"quoted\"" }));
  bytes.see(event({ tool_calls: [{ index: 0, function: { arguments: "{\"a\":1}" } }] }));
  bytes.see("data: [DONE]\n\n");
  assert.equal(bytes.tokens(), Buffer.byteLength('Hé "quoted"') + Buffer.byteLength('{"a":1}'), "no tokenizer: one token per byte (an upper bound)");

  await loadOpenAITokenizer("o200k_base");
  const exact = createDeliveredTokenCounter("o200k_base");
  for (const word of ["Hello", " there", ",", " friend"]) exact.see(event({ content: word }));
  assert.equal(exact.tokens(), 4, "with the target's tokenizer: the tokens sent");
});

test("counting forwarded bytes gives the same count as the text, for short streams and for long ones folded on the way", () => {
  const events = Array.from({ length: 1_000 }, (_, index) => event({ content: `wörd ${index} "q" ` }));
  const fromText = createDeliveredTokenCounter(undefined);
  const fromBytes = createDeliveredTokenCounter(undefined);
  for (const text of events) {
    fromText.see(text);
    fromBytes.seeBytes(Buffer.from(text));
  }
  const expected = events.reduce((sum, _, index) => sum + Buffer.byteLength(`wörd ${index} "q" `), 0);
  assert.equal(fromText.tokens(), expected);
  assert.equal(fromBytes.tokens(), expected, "1,000 chunks: folded every 256, the rest at the end");
  assert.equal(fromBytes.tokens(), expected, "asking twice counts once");
  const short = createDeliveredTokenCounter(undefined);
  short.seeBytes(new TextEncoder().encode(events[0] ?? ""));
  assert.equal(short.tokens(), Buffer.byteLength('wörd 0 "q" '));
});
