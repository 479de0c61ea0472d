import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isSwitchyardError } from "../../src/core/errors.js";
import { chooseCascadeLadder } from "../../src/strategies/cascade/choose-cascade-ladder.js";
import { runCascade } from "../../src/strategies/cascade/run-cascade.js";
import type { AnswerScorer } from "../../src/strategies/scorers/answer-scorer.js";
import { cheap, immediateTimers, middle, neverTimers, scriptedCaller, strong, tickingClock } from "./strategy-test-kit.js";

/** A scorer that grades by answer text from a table and costs 0.0001 per grade. */
function tableScorer(scores: Record<string, number>): AnswerScorer & { graded: string[] } {
  const graded: string[] = [];
  return {
    kind: "table",
    graded,
    async score(request) {
      graded.push(`${request.target.id}:${request.answer}`);
      return { score: scores[request.answer] ?? 0, costUsd: 0.0001, latencyMs: 2 };
    },
  };
}

const body = { messages: [{ role: "user", content: "What is the capital of France?" }] };
const ladder = [
  { target: cheap, threshold: 0.7 },
  { target: middle, threshold: 0.7 },
  { target: strong, threshold: 1 },
];
const answers = { cheap: { text: "Lyon", costUsd: 0.001 }, middle: { text: "Paris?", costUsd: 0.01 }, strong: { text: "Paris", costUsd: 0.1 } };

describe("runCascade", () => {
  test("stops at the first step whose score reaches its threshold", async () => {
    const caller = scriptedCaller(answers);
    const scorer = tableScorer({ Lyon: 0.9 });
    const result = await runCascade({ body }, { caller, scorer, ladder, timers: neverTimers, now: tickingClock() });
    assert.equal(result.text, "Lyon");
    assert.equal(result.model, "cheap");
    assert.equal(result.stoppedBecause, "accepted");
    assert.deepEqual(caller.calls.map((call) => call.target.id), ["cheap"]);
    assert.ok(Math.abs(result.costUsd - 0.0011) < 1e-12);
  });

  test("escalates while the score is low; the last step is not scored; the trace records every step", async () => {
    const caller = scriptedCaller(answers);
    const scorer = tableScorer({ Lyon: 0.1, "Paris?": 0.5 });
    const result = await runCascade({ body }, { caller, scorer, ladder, timers: neverTimers, now: tickingClock() });
    assert.equal(result.text, "Paris");
    assert.equal(result.model, "strong");
    assert.equal(result.stoppedBecause, "last-step");
    assert.deepEqual(scorer.graded, ["cheap:Lyon", "middle:Paris?"]);
    assert.deepEqual(
      result.trace.map((entry) => [entry.role, entry.model, entry.outcome, entry.score ?? null]),
      [
        ["answer", "cheap", "escalated", 0.1],
        ["score", "cheap", "answered", 0.1],
        ["answer", "middle", "escalated", 0.5],
        ["score", "middle", "answered", 0.5],
        ["answer", "strong", "final", null],
      ],
    );
    const traced = result.trace.reduce((sum, entry) => sum + entry.costUsd, 0);
    assert.ok(Math.abs(result.costUsd - traced) < 1e-12, "total cost = sum of the trace");
    assert.ok(Math.abs(result.costUsd - (0.001 + 0.01 + 0.1 + 0.0002)) < 1e-12);
    assert.ok(result.trace.every((entry) => entry.latencyMs >= 0));
    assert.deepEqual(result.usage, { prompt_tokens: 30, completion_tokens: 15 });
  });

  test("does not start a step whose predicted cost would exceed the cost cap", async () => {
    const caller = scriptedCaller(answers);
    const scorer = tableScorer({});
    const predicted: Record<string, number> = { cheap: 0.001, middle: 0.01, strong: 0.1 };
    const result = await runCascade({ body }, { caller, scorer, ladder, costCapUsd: 0.05, predictCostUsd: (target) => predicted[target.id] ?? 0, timers: neverTimers });
    assert.equal(result.text, "Paris?");
    assert.equal(result.stoppedBecause, "cost-cap");
    assert.deepEqual(caller.calls.map((call) => call.target.id), ["cheap", "middle"]);
    assert.ok(result.costUsd <= 0.05);
    assert.match(result.trace[result.trace.length - 1]?.note ?? "", /would exceed the cost cap/);
    assert.deepEqual(scorer.graded, ["cheap:Lyon"], "the answer before an unaffordable step is not graded");
  });

  test("a step that times out or fails escalates; when every step fails the last error is thrown", async () => {
    const caller = scriptedCaller({ cheap: "hang", middle: { fail: new Error("middle down") }, strong: answers.strong });
    const result = await runCascade({ body }, { caller, scorer: tableScorer({}), ladder, stepTimeoutMs: 10, timers: immediateTimers });
    assert.equal(result.text, "Paris");
    assert.deepEqual(result.trace.map((entry) => entry.outcome), ["timed-out", "failed", "final"]);
    assert.equal(caller.calls[0]?.signal?.aborted, true);
    const allDown = scriptedCaller({ cheap: { fail: new Error("a") }, middle: { fail: new Error("b") }, strong: "hang" });
    await assert.rejects(runCascade({ body }, { caller: allDown, scorer: tableScorer({}), ladder, timers: immediateTimers }), (error) => isSwitchyardError(error) && error.code === "upstream_timeout");
  });

  test("an empty ladder is a configuration error", async () => {
    await assert.rejects(runCascade({ body }, { caller: scriptedCaller({}), scorer: tableScorer({}), ladder: [] }), (error) => isSwitchyardError(error) && error.code === "invalid_config");
  });
});

describe("chooseCascadeLadder", () => {
  test("takes the cheap adequate frontier models then the best one", () => {
    const targetsById = new Map([cheap, middle, strong].map((target) => [target.id, target]));
    const candidates = [
      { model: "strong", predictedQuality: 0.9, predictedCostUsd: 0.1, objective: 0 },
      { model: "middle", predictedQuality: 0.6, predictedCostUsd: 0.01, objective: 0 },
      { model: "cheap", predictedQuality: 0.3, predictedCostUsd: 0.001, objective: 0 },
      { model: "unknown", predictedQuality: 0.99, predictedCostUsd: 0.0001, objective: 0 },
    ];
    const ladder = chooseCascadeLadder({ candidates, targetsById, maxSteps: 3, threshold: 0.8 });
    assert.deepEqual(ladder.map((step) => [step.target.id, step.threshold]), [["cheap", 0.8], ["middle", 0.8], ["strong", 1]]);
    const adequate = chooseCascadeLadder({ candidates, targetsById, maxSteps: 3, minPredictedQuality: 0.5 });
    assert.deepEqual(adequate.map((step) => step.target.id), ["middle", "strong"]);
    const short = chooseCascadeLadder({ candidates, targetsById, maxSteps: 2 });
    assert.deepEqual(short.map((step) => step.target.id), ["cheap", "strong"]);
  });
});
