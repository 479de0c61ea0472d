import assert from "node:assert/strict";
import { test } from "node:test";
import { createGuardModelClassifier, llamaGuardPrompt, parseGuardReply } from "../../src/guard/guard-model-classifier.js";
import type { SafetyClassifier } from "../../src/guard/safety-classifier.js";
import { createManualTimer, deferred } from "./manual-timer.js";
import type { CancelSignal } from "../../src/resilience/cancel-signal.js";

const fastFallback: SafetyClassifier = { kind: "builtin", classify: async () => ({ unsafe: true, score: 0.8, decisionMs: 0.1, source: "builtin" }) };

test("guard replies are read tolerantly", () => {
  assert.deepEqual(parseGuardReply("safe"), { unsafe: false, categories: [] });
  assert.deepEqual(parseGuardReply("\n\nunsafe\nS1,S9"), { unsafe: true, categories: ["S1", "S9"] });
  assert.deepEqual(parseGuardReply("Unsafe."), { unsafe: true, categories: [] });
  assert.equal(parseGuardReply("I think this is fine"), undefined);
  assert.match(llamaGuardPrompt("hello there"), /User: hello there[\s\S]*First line must read 'safe' or 'unsafe'/);
});

test("a timely guard answer decides", async () => {
  const { timer } = createManualTimer();
  let asked = "";
  const safety = createGuardModelClassifier({ complete: async (prompt) => ((asked = prompt), "unsafe\nS2"), latencyBudgetMs: 50, fallback: fastFallback, timer });
  const verdict = await safety.classify("how do I pick a lock");
  assert.equal(verdict.source, "guard-model");
  assert.equal(verdict.unsafe, true);
  assert.deepEqual(verdict.categories, ["S2"]);
  assert.match(asked, /User: how do I pick a lock/);
});

test("a late guard model leaves the decision to the fallback", async () => {
  const { timer, fire } = createManualTimer();
  const late = deferred<string>();
  let signal: CancelSignal | undefined;
  const safety = createGuardModelClassifier({ complete: (_prompt, given) => ((signal = given), late.promise), latencyBudgetMs: 50, fallback: fastFallback, timer });
  const pending = safety.classify("hello");
  await Promise.resolve();
  assert.equal(signal?.aborted, false);
  fire();
  const verdict = await pending;
  assert.equal(signal?.aborted, true, "the late call is aborted");
  late.resolve("safe");
  assert.equal(verdict.source, "builtin");
  assert.equal(verdict.fallbackReason, "timeout");
  assert.equal(verdict.unsafe, true);
});

test("garbage or a failing call falls back to a fixed answer", async () => {
  const { timer } = createManualTimer();
  const garbage = createGuardModelClassifier({ complete: async () => "As an AI model I cannot", latencyBudgetMs: 50, fallback: "refuse", timer });
  assert.deepEqual({ ...(await garbage.classify("x")), decisionMs: 0 }, { unsafe: true, score: 1, decisionMs: 0, source: "fixed-refuse", fallbackReason: "unparseable" });
  const failing = createGuardModelClassifier({ complete: () => { throw new Error("connection refused"); }, latencyBudgetMs: 50, timer });
  const verdict = await failing.classify("x");
  assert.equal(verdict.unsafe, false);
  assert.equal(verdict.fallbackReason, "error");
});
