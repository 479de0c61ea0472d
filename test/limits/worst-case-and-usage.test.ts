import assert from "node:assert/strict";
import { test } from "node:test";
import { loadOpenAITokenizer, openAIEncodingOf } from "../../src/core/openai-tokenizer.js";
import { absurdUsageFactor, judgeUsage } from "../../src/limits/usage-verdict.js";
import { outputCapOf, worstCaseOf } from "../../src/limits/worst-case-cost.js";
import { requestNeedsOf, unmetNeedsOf } from "../../src/providers/request-needs.js";

const target = { id: "gpt-4o-mini", inputUsdPerMTok: 1, outputUsdPerMTok: 2, contextWindow: 1_000, maxOutputTokens: 300 };
const other = { id: "llama-3-70b", inputUsdPerMTok: 1, outputUsdPerMTok: 2, contextWindow: 1_000 };

test("the worst case: every choice × the smallest output cap × output price + the prompt bound × input price", () => {
  const needs = requestNeedsOf({ messages: [{ role: "user", content: "héllo" }], n: 3, max_tokens: 4_000, max_completion_tokens: 50 });
  assert.equal(needs.choices, 3);
  assert.equal(needs.maxOutputTokens, 50);
  // "user" (4) + "héllo" (6 bytes) + 4 per message + 3 reply priming.
  assert.equal(needs.promptTokenBound, 4 + 6 + 4 + 3);
  const worst = worstCaseOf(needs, target, { defaultMaxOutputTokens: 4_096 });
  assert.deepEqual({ ...worst }, { promptTokens: 17, exact: false, outputCap: 50, choices: 3, costUsd: (17 * 1 + 3 * 50 * 2) / 1e6 });
  assert.equal(outputCapOf({ maxOutputTokens: undefined, promptTokens: 10 }, target, 4_096), 300, "no client cap: the target's");
  assert.equal(outputCapOf({ maxOutputTokens: undefined, promptTokens: 10 }, { ...other, contextWindow: 100_000 }, 4_096), 4_096, "no target cap: the default");
  assert.equal(outputCapOf({ maxOutputTokens: undefined, promptTokens: 500 }, other, 4_096), 1_000 - 550, "no client cap: room left in the window");
  assert.equal(outputCapOf({ maxOutputTokens: 10_000, promptTokens: 10 }, target, 4_096), 300, "a client asking for more gets the target's cap");
});

test("OpenAI-family prompts are counted by the real tokenizer when asked; others keep the byte bound", async () => {
  assert.equal(openAIEncodingOf("gpt-4o-mini"), "o200k_base");
  assert.equal(openAIEncodingOf("o3-mini"), "o200k_base");
  assert.equal(openAIEncodingOf("gpt-4-turbo"), "cl100k_base");
  assert.equal(openAIEncodingOf("claude-3-haiku"), undefined);
  await loadOpenAITokenizer("o200k_base");
  const needs = requestNeedsOf({ messages: [{ role: "user", content: "The quick brown fox jumps over the lazy dog. <|endoftext|>" }] });
  const exact = worstCaseOf(needs, target, { defaultMaxOutputTokens: 10, exact: true });
  assert.equal(exact.exact, true);
  assert.ok(exact.promptTokens < needs.promptTokenBound / 2, `${exact.promptTokens} tokens vs a ${needs.promptTokenBound} byte bound`);
  assert.equal(worstCaseOf(needs, other, { defaultMaxOutputTokens: 10, exact: true }).exact, false);
});

test("usage is believed, billed above the worst case, or rejected — never stored negative", () => {
  const needs = requestNeedsOf({ messages: [{ role: "user", content: "hi" }], max_tokens: 10 });
  const worst = worstCaseOf(needs, target, { defaultMaxOutputTokens: 4_096 });
  assert.deepEqual(judgeUsage({ prompt_tokens: 5, completion_tokens: 10 }, target, worst), { kind: "reported", inputTokens: 5, outputTokens: 10, costUsd: 25e-6, overWorstCase: false });
  assert.equal(judgeUsage({ prompt_tokens: 5, completion_tokens: 20 }, target, worst).kind, "reported", "above the worst case: billed as reported");
  assert.equal((judgeUsage({ prompt_tokens: 5, completion_tokens: 20 }, target, worst) as { overWorstCase: boolean }).overWorstCase, true);
  for (const usage of [{ prompt_tokens: -5, completion_tokens: 10 }, { prompt_tokens: 5, completion_tokens: -1 }, { prompt_tokens: Number.NaN }, { prompt_tokens: "5" }, { prompt_tokens: 1.5, completion_tokens: 1 }, { prompt_tokens: 5_000, completion_tokens: 1 }, 7]) {
    assert.equal(judgeUsage(usage, target, worst).kind, "rejected", JSON.stringify(usage));
  }
  const absurd = Math.ceil((absurdUsageFactor * worst.costUsd * 1e6) / 2) + 5;
  assert.equal(judgeUsage({ prompt_tokens: 0, completion_tokens: absurd }, target, worst).kind, "rejected", "more than 4× the worst case");
  assert.equal(judgeUsage(undefined, target, worst).kind, "missing");
  assert.equal(judgeUsage({}, target, worst).kind, "missing");
});

test("context-window checks count an OpenAI-family prompt with its tokenizer when the estimate is borderline", async () => {
  await loadOpenAITokenizer("o200k_base");
  const needs = requestNeedsOf({ messages: [{ role: "user", content: "word ".repeat(76) }], max_tokens: 10 });
  assert.equal(needs.promptTokens, 95, "characters ÷ 4");
  const window = { contextWindow: 100 };
  assert.deepEqual(unmetNeedsOf({ id: "gpt-4o", ...window }, needs), [], "76 real tokens + chat overhead + 10 fit in 100");
  assert.equal(unmetNeedsOf({ id: "some-llama", ...window }, needs).length, 1, "no tokenizer: the estimate decides");
});
