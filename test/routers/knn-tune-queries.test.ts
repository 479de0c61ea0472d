import assert from "node:assert/strict";
import { test } from "node:test";
import { looQueryCount } from "../../src/routers/knn/tune-knn.js";

test("leave-one-out tuning uses every prompt when few, 2,000 up to 50,000 prompts, then a bounded search budget", () => {
  assert.equal(looQueryCount(300), 300);
  assert.equal(looQueryCount(5608), 2000);
  assert.equal(looQueryCount(50_000), 2000);
  assert.equal(looQueryCount(100_000), 1000);
  assert.equal(looQueryCount(1_000_000), 500);
});
