import assert from "node:assert/strict";
import { test } from "node:test";
import { createDoneMarkerWatch } from "../../src/providers/done-marker-watch.js";

const encoder = new TextEncoder();

/** Every way of cutting the text into chunks at up to two places. */
function* splits(text: string): Generator<Uint8Array[]> {
  const bytes = encoder.encode(text);
  for (let a = 0; a <= bytes.length; a++) {
    for (let b = a; b <= bytes.length; b++) yield [bytes.slice(0, a), bytes.slice(a, b), bytes.slice(b)];
  }
}

test("finds the [DONE] marker wherever the chunk boundaries cut it, and only when it is there", () => {
  for (const chunks of splits('data: {"x":"[DON"}\n\ndata: [DONE]\n\n')) {
    const watch = createDoneMarkerWatch();
    for (const chunk of chunks) watch.see(chunk);
    assert.equal(watch.seen(), true, chunks.map((chunk) => Buffer.from(chunk).toString()).join("|"));
  }
  for (const chunks of splits('data: {"x":"[DON"}\n\ndata: [[DONE\n\ndata: DONE]\n\n')) {
    const watch = createDoneMarkerWatch();
    for (const chunk of chunks) watch.see(chunk);
    assert.equal(watch.seen(), false, chunks.map((chunk) => Buffer.from(chunk).toString()).join("|"));
  }
  const byByte = createDoneMarkerWatch();
  for (const byte of encoder.encode("data: [[DONE]\n\n")) byByte.see(Uint8Array.of(byte));
  assert.equal(byByte.seen(), true);
});
