import assert from "node:assert/strict";
import { test } from "node:test";
import { createSseStreamTap } from "../../src/gateway/sse-stream-tap.js";
import type { StreamUsage } from "../../src/gateway/sse-stream-tap.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function run(input: Uint8Array[], options: Parameters<typeof createSseStreamTap>[0]): string {
  const tap = createSseStreamTap(options);
  const out: Uint8Array[] = [];
  for (const chunk of input) {
    const forwarded = tap.push(chunk);
    if (forwarded) out.push(forwarded);
  }
  const rest = tap.flush();
  if (rest) out.push(rest);
  return out.map((bytes) => decoder.decode(bytes, { stream: true })).join("") + decoder.decode();
}

const content = 'data: {"id":"1","model":"up-model","choices":[{"index":0,"delta":{"content":"naïve ☕ \\"model\\": \\"x\\""}}]}\n\n';
const usage = 'data: {"id":"1","model":"up-model","choices": [ ],"usage":{"prompt_tokens":7,"completion_tokens":3,"total_tokens":10}}\n\n';
const done = "data: [DONE]\n\n";

/** Every split of the bytes into two chunks, multi-byte characters cut included. */
function everySplit(text: string): Uint8Array[][] {
  const bytes = encoder.encode(text);
  const splits: Uint8Array[][] = [];
  for (let at = 0; at <= bytes.length; at++) splits.push([bytes.slice(0, at), bytes.slice(at)]);
  return splits;
}

test("passes a stream through unchanged when nothing is to be dropped or renamed", () => {
  for (const split of everySplit(content + usage + done)) {
    let seen: StreamUsage | undefined;
    assert.equal(run(split, { dropUsageChunk: false, onUsage: (value) => (seen = value) }), content + usage + done);
    assert.deepEqual(seen, { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  }
});

test("drops the usage-only chunk wherever the chunk boundaries fall, and still reports its usage", () => {
  for (const split of everySplit(content + usage + done)) {
    let seen: StreamUsage | undefined;
    assert.equal(run(split, { dropUsageChunk: true, onUsage: (value) => (seen = value) }), content + done);
    assert.equal(seen?.total_tokens, 10);
  }
});

test("renames the chunk's model without touching escaped text in the content", () => {
  const output = run([encoder.encode(content + usage)], { dropUsageChunk: false, model: "target-id" });
  assert.equal(output, (content + usage).replaceAll('"model":"up-model"', '"model":"target-id"'));
  assert.match(output, /\\"model\\": \\"x\\"/);
});

test("handles CRLF event separators and keeps chunks with choices that merely carry usage: null", () => {
  const crlf = (content + usage + done).replaceAll("\n\n", "\r\n\r\n");
  assert.equal(run([encoder.encode(crlf)], { dropUsageChunk: true }), (content + done).replaceAll("\n\n", "\r\n\r\n"));
  const withNullUsage = 'data: {"choices":[{"index":0,"delta":{}}],"usage":null}\n\n';
  assert.equal(run([encoder.encode(withNullUsage)], { dropUsageChunk: true }), withNullUsage);
  const emptyChoicesNoUsage = 'data: {"choices":[],"usage":null}\n\n';
  assert.equal(run([encoder.encode(emptyChoicesNoUsage)], { dropUsageChunk: true }), emptyChoicesNoUsage);
});

test("forwards a trailing partial event at the end of the stream", () => {
  assert.equal(run([encoder.encode(content + "data: [DONE]")], { dropUsageChunk: true }), content + "data: [DONE]");
});

test("forwards the upstream's own bytes when a chunk ends on an event boundary and already names the target", () => {
  const named = content.replace("up-model", "target-id");
  const chunk = Buffer.from(named + named);
  const seen: Uint8Array[] = [];
  const tap = createSseStreamTap({ dropUsageChunk: true, model: "target-id", onForwardBytes: (bytes) => seen.push(bytes) });
  assert.equal(tap.push(chunk), chunk, "no copy");
  assert.deepEqual(seen, [chunk]);
});

test("renames the model by bytes wherever chunk boundaries fall, spacing and escapes included", () => {
  const spaced = 'data: {"id":"2", "model" :  "up\\"model\\u00e9","choices":[{"index":0,"delta":{"content":"\\"model\\":\\"y\\""}}]}\n\n';
  const renamed = (text: string) => text.replace('"model":"up-model"', '"model":"té \\"id\\""');
  const expected = renamed(content) + 'data: {"id":"2", "model":"té \\"id\\"","choices":[{"index":0,"delta":{"content":"\\"model\\":\\"y\\""}}]}\n\n' + done;
  for (const split of everySplit(content + spaced + usage + done)) {
    const delivered: Uint8Array[] = [];
    const output = run(split, { dropUsageChunk: true, model: 'té "id"', onForwardBytes: (bytes) => delivered.push(bytes) });
    assert.equal(output, expected);
    assert.equal(Buffer.concat(delivered).toString(), output, "onForwardBytes sees exactly what is forwarded");
  }
});

test("takes plain Uint8Arrays as well as Buffers", () => {
  const bytes = encoder.encode(content);
  assert.equal(run([bytes.subarray(0, 10), bytes.subarray(10)], { dropUsageChunk: true, model: "up-model" }), content);
});
