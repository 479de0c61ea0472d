import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { topK } from "../../src/routers/knn/knn-router.js";
import { topKByHeap } from "../../src/routers/knn/top-k-heap.js";

test("topKByHeap returns exactly what topK returns (ties, exclusion, k larger than the input)", () => {
  const random = createRandom(5);
  for (let trial = 0; trial < 300; trial++) {
    const length = Math.floor(random() * 60);
    // Few distinct values, so ties are common.
    const values = Float32Array.from({ length }, () => (random() < 0.3 ? Math.round(random() * 4) / 4 : random() * 2 - 1));
    const k = 1 + Math.floor(random() * 70);
    const exclude = random() < 0.5 ? Math.floor(random() * (length + 1)) - 1 : -1;
    const expected = topK(values, k, exclude);
    const actual = topKByHeap(values, k, exclude);
    assert.equal(actual.count, expected.count, `trial ${trial}`);
    assert.deepEqual([...actual.indices], [...expected.indices], `trial ${trial}`);
    assert.deepEqual([...actual.similarities], [...expected.similarities], `trial ${trial}`);
  }
});

test("topKByHeap on a large input with k = 320", () => {
  const random = createRandom(6);
  const values = Float32Array.from({ length: 20_000 }, () => random());
  const expected = topK(values, 320, 17);
  const actual = topKByHeap(values, 320, 17);
  assert.deepEqual([...actual.indices], [...expected.indices]);
  assert.equal(actual.count, 320);
});
