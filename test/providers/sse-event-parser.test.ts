import assert from "node:assert/strict";
import { test } from "node:test";
import { createSseEventParser } from "../../src/providers/sse-event-parser.js";

const bytes = (text: string) => new TextEncoder().encode(text);

test("parses events, names, multi-line data, comments; LF, CRLF and CR line ends", () => {
  const parser = createSseEventParser();
  const events = parser.push(bytes(": comment\nevent: ping\ndata: {}\n\ndata: a\ndata:b\r\n\r\ndata: c\r\rid: 3\nretry: 5\ndata\n\n"));
  assert.deepEqual(events, [
    { event: "ping", data: "{}" },
    { event: "message", data: "a\nb" },
    { event: "message", data: "c" },
    { event: "message", data: "" },
  ]);
  assert.deepEqual(parser.flush(), []);
});

test("any chunking gives the same events, even inside UTF-8 characters and CRLF pairs", () => {
  const text = "event: x\r\ndata: héllo 🌍\r\n\r\ndata: [DONE]\r\n\r\n";
  const all = bytes(text);
  const expected = [{ event: "x", data: "héllo 🌍" }, { event: "message", data: "[DONE]" }];
  for (let size = 1; size <= all.length; size++) {
    const parser = createSseEventParser();
    const events = [];
    for (let offset = 0; offset < all.length; offset += size) events.push(...parser.push(all.subarray(offset, offset + size)));
    events.push(...parser.flush());
    assert.deepEqual(events, expected, `chunk size ${size}`);
  }
});

test("flush returns a last event that lacks its blank line", () => {
  const parser = createSseEventParser();
  assert.deepEqual(parser.push(bytes("data: tail")), []);
  assert.deepEqual(parser.flush(), [{ event: "message", data: "tail" }]);
});
