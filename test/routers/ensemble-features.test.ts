import assert from "node:assert/strict";
import { test } from "node:test";
import { finalQuestionOf } from "../../src/features/final-question.js";
import { promptFeaturesOf, PROMPT_FEATURE_NAMES } from "../../src/features/prompt-features.js";

test("finalQuestionOf keeps the last question of a few-shot prompt", () => {
  const fewShot = "['Q: what is 1+1?\\nA) 2\\nB) 3\\nAnswer:\\nA\\n\\nQ: which planet is largest in the solar system?\\nA) Mars\\nB) Jupiter\\nAnswer:']";
  assert.equal(finalQuestionOf(fewShot), "Q: which planet is largest in the solar system?\nA) Mars\nB) Jupiter\nAnswer:");
  assert.equal(finalQuestionOf("  just one question?  "), "just one question?");
  // A short tail is joined to the block before it.
  assert.equal(finalQuestionOf("Example one.\n\nWhat is the capital of France, given the clues?\n\nAnswer:"), "What is the capital of France, given the clues?\n\nAnswer:");
});

test("prompt features are finite, named, and see numbers and code", () => {
  const plain = promptFeaturesOf("Tell me about the weather today?");
  const mathy = promptFeaturesOf("Compute 1234 * 5678 + 91 = ?");
  const code = promptFeaturesOf("def f(x):\n    return x + 1; print(f(2))");
  for (const row of [plain, mathy, code]) {
    assert.equal(row.length, PROMPT_FEATURE_NAMES.length);
    for (const value of row) assert.ok(Number.isFinite(value));
  }
  const digits = PROMPT_FEATURE_NAMES.indexOf("log-digits");
  const codeMarkers = PROMPT_FEATURE_NAMES.indexOf("code-markers");
  assert.ok(mathy[digits]! > plain[digits]!);
  assert.ok(code[codeMarkers]! > plain[codeMarkers]!);
});
