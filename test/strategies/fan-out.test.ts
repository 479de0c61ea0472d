import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isSwitchyardError } from "../../src/core/errors.js";
import type { RoutingEngine } from "../../src/core/routing-engine.js";
import { predictedCallCostUsd } from "../../src/strategies/predicted-call-cost.js";
import { strategiesConfigSchema } from "../../src/strategies/strategy-config.js";
import { createStrategyHandler } from "../../src/strategies/strategy-handler.js";
import { chooseFanOutModels } from "../../src/strategies/fan-out/choose-fan-out-models.js";
import { runFanOut } from "../../src/strategies/fan-out/run-fan-out.js";
import { createJudgeScorer } from "../../src/strategies/scorers/judge-scorer.js";
import { cheap, immediateTimers, judge, middle, neverTimers, scriptedCaller, strong } from "./strategy-test-kit.js";

const body = { messages: [{ role: "user", content: "Name a prime number above 10." }] };

describe("runFanOut", () => {
  test("best: asks every model, the judge grades each answer, the best one is returned with a full trace", async () => {
    const caller = scriptedCaller({
      cheap: { text: "9", costUsd: 0.001 },
      middle: { text: "11", costUsd: 0.01 },
      strong: { text: "13", costUsd: 0.1 },
      judge: (request) => ({ text: String((request.body.messages as Array<{ content: string }>)[0]?.content).includes("### Answer\n11") ? "9" : "4", costUsd: 0.0005 }),
    });
    const scorer = createJudgeScorer({ caller, judge, latencyBudgetMs: 100, timers: neverTimers });
    const result = await runFanOut({ body }, { caller, models: [cheap, middle, strong], combine: { mode: "best", judge: scorer }, timers: neverTimers });
    assert.equal(result.text, "11");
    assert.equal(result.model, "middle");
    assert.equal(result.stoppedBecause, "best");
    assert.equal(result.trace.filter((entry) => entry.role === "answer").length, 3);
    assert.equal(result.trace.filter((entry) => entry.role === "score").length, 3);
    assert.equal(result.trace.find((entry) => entry.role === "answer" && entry.model === "middle")?.outcome, "chosen");
    assert.ok(Math.abs(result.costUsd - (0.111 + 3 * 0.0005)) < 1e-12);
    assert.ok(Math.abs(result.costUsd - result.trace.reduce((sum, entry) => sum + entry.costUsd, 0)) < 1e-12);
  });

  test("fuse: the aggregator sees every answer and writes the final one; a timed-out model is left out", async () => {
    const caller = scriptedCaller({ cheap: { text: "answer one" }, middle: "hang", strong: { text: "answer two" }, judge: { text: "fused answer", costUsd: 0.002 } });
    const result = await runFanOut({ body }, { caller, models: [cheap, middle, strong], combine: { mode: "fuse", aggregator: judge }, callTimeoutMs: 5, timers: immediateTimers });
    assert.equal(result.text, "fused answer");
    assert.equal(result.model, "judge");
    assert.equal(result.stoppedBecause, "fused");
    const aggregatorPrompt = String((caller.calls.find((call) => call.target.id === "judge")?.body.messages as Array<{ content: string }>)[0]?.content);
    assert.match(aggregatorPrompt, /1\. answer one\n\n2\. answer two/);
    assert.match(aggregatorPrompt, /Name a prime number above 10\./);
    assert.deepEqual(result.trace.map((entry) => [entry.role, entry.model, entry.outcome]), [
      ["answer", "cheap", "answered"],
      ["answer", "middle", "timed-out"],
      ["answer", "strong", "answered"],
      ["aggregate", "judge", "fused"],
    ]);
  });

  test("fuse falls back to the router's first answer when the aggregator fails; all models failing throws", async () => {
    const caller = scriptedCaller({ cheap: { text: "first" }, strong: { text: "second" }, judge: { fail: new Error("aggregator down") } });
    const result = await runFanOut({ body }, { caller, models: [cheap, strong], combine: { mode: "fuse", aggregator: judge }, timers: neverTimers });
    assert.equal(result.text, "first");
    assert.equal(result.stoppedBecause, "fallback");
    const down = scriptedCaller({ cheap: { fail: new Error("x") } });
    await assert.rejects(runFanOut({ body }, { caller: down, models: [cheap], combine: { mode: "fuse", aggregator: judge }, timers: neverTimers }), (error) => isSwitchyardError(error) && error.code === "upstream_error");
  });
});

describe("chooseFanOutModels", () => {
  test("takes the router's candidates in order while the predicted cost stays under the cap, at most k", () => {
    const candidates = [
      { model: "strong", predictedQuality: 0.9, predictedCostUsd: 0.1, objective: 3 },
      { model: "middle", predictedQuality: 0.6, predictedCostUsd: 0.05, objective: 2 },
      { model: "cheap", predictedQuality: 0.3, predictedCostUsd: 0.001, objective: 1 },
    ];
    assert.deepEqual(chooseFanOutModels({ candidates, k: 3 }), ["strong", "middle", "cheap"]);
    assert.deepEqual(chooseFanOutModels({ candidates, k: 2 }), ["strong", "middle"]);
    assert.deepEqual(chooseFanOutModels({ candidates, k: 3, costCapUsd: 0.12 }), ["strong", "cheap"]);
    assert.deepEqual(chooseFanOutModels({ candidates, k: 3, costCapUsd: 0.01 }), ["strong"], "the router's first choice is always kept");
  });
});

describe("router-chosen fan-out in the strategy handler", () => {
  const candidates = [
    { model: "strong", predictedQuality: 0.9, predictedCostUsd: 0.1, objective: 3 },
    { model: "middle", predictedQuality: 0.6, predictedCostUsd: 0.05, objective: 2 },
    { model: "cheap", predictedQuality: 0.3, predictedCostUsd: 0.001, objective: 1 },
  ];
  const engine: RoutingEngine = {
    routerName: "stub",
    targets: [cheap, middle, strong],
    decide: async () => ({ model: "strong", router: "stub", willingnessToPay: 1, candidates, decisionMs: 0 }),
  };
  const run = async (costCapUsd: number) => {
    const config = strategiesConfigSchema.parse({ fanOut: { k: 3, costCapUsd, mode: "fuse", aggregator: { target: "judge" } } });
    const handler = createStrategyHandler({ config, targets: [cheap, middle, strong, judge], engine, timers: neverTimers });
    const caller = scriptedCaller({ cheap: { text: "c" }, middle: { text: "m" }, strong: { text: "s" }, judge: { text: "fused" } });
    return handler.run({ body: { ...body, model: "fan-out" }, caller });
  };

  test("chooses k models in the router's order under the cap, after reserving the aggregator's predicted cost", async () => {
    // The aggregator reads all k answers: (k + 1) × its predicted call cost is held back from the cap first.
    const reserve = 4 * predictedCallCostUsd(judge, body);
    const answered = async (cap: number) => (await run(cap)).trace.filter((call) => call.role === "answer").map((call) => call.model);
    assert.deepEqual(await answered(reserve + 0.2), ["strong", "middle", "cheap"]);
    assert.deepEqual(await answered(reserve + 0.12), ["strong", "cheap"]);
    assert.deepEqual(await answered(reserve + 0.01), ["strong"], "the router's first choice always runs");
    const fused = await run(reserve + 0.12);
    assert.equal(fused.text, "fused");
    assert.ok(Math.abs(fused.costUsd - fused.trace.reduce((sum, call) => sum + call.costUsd, 0)) < 1e-12);
  });
});
