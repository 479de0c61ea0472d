import assert from "node:assert/strict";
import { test } from "node:test";
import { CostModel } from "../../src/core/cost-model.js";
import type { RoutingExample } from "../../src/data/routing-example.js";

test("the cost model fits intercept + slope per model and falls back to prices", () => {
  const examples: RoutingExample[] = [10, 20, 30].map((tokens, i) => ({
    id: String(i),
    prompt: "x".repeat(tokens * 4),
    outcomes: { a: { score: 1, costUsd: 0.001 + 0.0001 * tokens } },
  }));
  const model = CostModel.fit(examples, [10, 20, 30], ["a"]);
  assert.ok(Math.abs(model.predict("a", 40) - 0.005) < 1e-12);
  assert.equal(model.knows("b"), false);
  assert.equal(model.predict("b", 1000, { inputUsdPerMTok: 1, outputUsdPerMTok: 2 }), (1000 * 1 + 256 * 2) / 1e6);
  const copy = CostModel.fromState(JSON.parse(JSON.stringify(model.toState())));
  assert.equal(copy.predict("a", 40), model.predict("a", 40));
  assert.throws(() => CostModel.fromState({ kind: "other" }), /cost model is invalid/);
});
