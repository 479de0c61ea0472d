import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizePromptText } from "../../src/data/prompt-text.js";

test("a one-element Python list literal becomes its text", () => {
  assert.equal(normalizePromptText("['Is water wet?\\nAnswer:']"), "Is water wet?\nAnswer:");
  assert.equal(normalizePromptText('["It\'s fine"]'), "It's fine");
});

test("several elements are joined by newlines; both quote styles; trailing comma", () => {
  assert.equal(normalizePromptText("['first', \"second\",'third',]"), "first\nsecond\nthird");
  assert.equal(normalizePromptText("[]"), "");
});

test("escapes: \\n \\t \\' \\\" \\\\ \\x \\u, unknown escapes kept", () => {
  assert.equal(normalizePromptText("['Dennis\\'s \"menu\"\\tok\\\\n']"), "Dennis's \"menu\"\tok\\n");
  assert.equal(normalizePromptText('["say \\"hi\\""]'), 'say "hi"');
  assert.equal(normalizePromptText("['caf\\xe9 \\u2014 \\U0001F600']"), "café — 😀");
  assert.equal(normalizePromptText("['\\d+']"), "\\d+");
});

test("anything else is returned trimmed and unchanged", () => {
  assert.equal(normalizePromptText("  plain text \n"), "plain text");
  assert.equal(normalizePromptText("[not a list]"), "[not a list]");
  assert.equal(normalizePromptText("['unterminated]"), "['unterminated]");
  assert.equal(normalizePromptText("['a'] ['b']"), "['a'] ['b']");
  assert.equal(normalizePromptText("['a' 'b']"), "['a' 'b']");
  assert.equal(normalizePromptText("[1, 2]"), "[1, 2]");
});

test("surrounding whitespace of the text is trimmed", () => {
  assert.equal(normalizePromptText("  ['  padded\\n']  "), "padded");
});
