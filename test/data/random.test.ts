import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom, shuffled } from "../../src/core/random.js";

test("createRandom: same seed, same sequence; values in [0, 1)", () => {
  const a = createRandom(42);
  const b = createRandom(42);
  const first = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(Array.from({ length: 1000 }, () => b()), first);
  assert.ok(first.every((value) => value >= 0 && value < 1));
  const mean = first.reduce((sum, value) => sum + value, 0) / first.length;
  assert.ok(Math.abs(mean - 0.5) < 0.05, `mean ${mean}`);
  assert.notDeepEqual(Array.from({ length: 5 }, createRandom(43)), first.slice(0, 5));
});

test("createRandom is mulberry32 (pinned values, so a change of generator is noticed)", () => {
  const random = createRandom(1);
  assert.deepEqual([random(), random(), random()].map((value) => value.toFixed(10)), ["0.6270739406", "0.0027357212", "0.5274470400"]);
});

test("shuffled returns a permutation and leaves the input alone", () => {
  const items = Array.from({ length: 50 }, (_, index) => index);
  const result = shuffled(items, createRandom(9));
  assert.deepEqual([...result].sort((a, b) => a - b), items);
  assert.notDeepEqual(result, items);
  assert.deepEqual(items, Array.from({ length: 50 }, (_, index) => index));
  assert.deepEqual(shuffled(items, createRandom(9)), result);
});
