import assert from "node:assert/strict";
import { test } from "node:test";
import { jsonDepthOf, jsonTextDepthOf } from "../../src/gateway/json-depth-scan.js";

const depthOfParsed = (value: unknown): number => (value !== null && typeof value === "object" ? 1 + Math.max(0, ...Object.values(value as object).map(depthOfParsed)) : 0);

test("the pre-scan finds the exact depth of valid JSON, brackets in strings and escapes included", () => {
  const samples = ["{}", "[]", "1", '"[[["', '{"a": [1, {"b": "]]}"}]}', '[["\\"[", "\\\\"], [[[]]]]', '{"a": "\\\\\\"{{{"}', JSON.stringify({ a: [[[{ b: [1, "x]"] }]]], c: { d: {} } })];
  for (const text of samples) {
    const expected = depthOfParsed(JSON.parse(text));
    assert.equal(jsonTextDepthOf(text, 100), expected, text);
    assert.equal(jsonDepthOf(new TextEncoder().encode(text), 100), expected, text);
  }
});

test("it stops as soon as the limit is passed", () => {
  const deep = new TextEncoder().encode("[".repeat(1_000_000));
  const started = performance.now();
  assert.equal(jsonDepthOf(deep, 64), 65);
  assert.ok(performance.now() - started < 50);
});
