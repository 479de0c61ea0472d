import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Embedder } from "../../src/embedders/embedder.js";
import type { Router } from "../../src/routers/router.js";
import { createJudgeScorer, parseJudgeVerdict } from "../../src/strategies/scorers/judge-scorer.js";
import { loadDataset } from "../../src/data/load-dataset.js";
import { trainRouterArtifact } from "../../src/training/train-router-artifact.js";
import { createLearnedScorer, learnedScorerPartsOf } from "../../src/strategies/scorers/learned-scorer.js";
import { createEngineLearnedScorer } from "../../src/strategies/scorers/engine-learned-scorer.js";
import { strategiesConfigSchema } from "../../src/strategies/strategy-config.js";
import { createStrategyHandler } from "../../src/strategies/strategy-handler.js";
import { createRoutingEngine } from "../../src/core/create-routing-engine.js";
import { replayExamples, replayPrompts } from "../fixtures/replay-examples.js";
import { answerAgreement, createSelfConsistencyScorer } from "../../src/strategies/scorers/self-consistency-scorer.js";
import { cheap, immediateTimers, judge, neverTimers, scriptedCaller, strong, tickingClock } from "./strategy-test-kit.js";

describe("parseJudgeVerdict", () => {
  test("reads grades out of 10, fractions, decimals in [0, 1] and yes/no", () => {
    assert.equal(parseJudgeVerdict("7"), 0.7);
    assert.equal(parseJudgeVerdict("Grade: 10"), 1);
    assert.equal(parseJudgeVerdict("3/4"), 0.75);
    assert.equal(parseJudgeVerdict("0.9"), 0.9);
    assert.equal(parseJudgeVerdict("12"), 1);
    assert.equal(parseJudgeVerdict("Yes, it is right."), 1);
    assert.equal(parseJudgeVerdict("no"), 0);
    assert.equal(parseJudgeVerdict("incorrect"), 0);
    assert.equal(parseJudgeVerdict("I cannot tell"), null);
  });
});

describe("createJudgeScorer", () => {
  test("asks the judge target with the prompt and answer, returns its grade and cost", async () => {
    const caller = scriptedCaller({ judge: { text: "8", costUsd: 0.0002 } });
    const scorer = createJudgeScorer({ caller, judge, latencyBudgetMs: 1000, timers: neverTimers, now: tickingClock() });
    const result = await scorer.score({ prompt: "What is 2+2?", answer: "4", target: cheap });
    assert.equal(result.score, 0.8);
    assert.equal(result.costUsd, 0.0002);
    assert.equal(result.timedOut, undefined);
    assert.equal(caller.calls[0]?.target.id, "judge");
    const content = String((caller.calls[0]?.body.messages as Array<{ content: string }>)[0]?.content);
    assert.match(content, /What is 2\+2\?/);
    assert.match(content, /### Answer\n4/);
  });

  test("on timeout returns the configured default score, says so, and aborts the judge call", async () => {
    const caller = scriptedCaller({ judge: "hang" });
    const scorer = createJudgeScorer({ caller, judge, latencyBudgetMs: 50, defaultScore: 0.3, timers: immediateTimers });
    const result = await scorer.score({ prompt: "p", answer: "a", target: cheap });
    assert.equal(result.score, 0.3);
    assert.equal(result.timedOut, true);
    assert.equal(result.costUsd, 0);
    assert.match(result.note ?? "", /exceeded 50 ms; default score used/);
    assert.equal(caller.calls[0]?.signal?.aborted, true);
  });

  test("a failing judge or an unparseable verdict yields the default score with a note", async () => {
    const failing = createJudgeScorer({ caller: scriptedCaller({ judge: { fail: new Error("boom") } }), judge, latencyBudgetMs: 10, timers: neverTimers });
    const failed = await failing.score({ prompt: "p", answer: "a", target: cheap });
    assert.equal(failed.score, 0);
    assert.match(failed.note ?? "", /judge failed \(boom\)/);
    const rambling = createJudgeScorer({ caller: scriptedCaller({ judge: { text: "hmm, hard to say" } }), judge, latencyBudgetMs: 10, defaultScore: 0.5, timers: neverTimers });
    const unparsed = await rambling.score({ prompt: "p", answer: "a", target: cheap });
    assert.equal(unparsed.score, 0.5);
    assert.match(unparsed.note ?? "", /unparseable verdict/);
  });
});

describe("self-consistency", () => {
  test("answerAgreement: normalised exact match is 1, otherwise word-set overlap", () => {
    assert.equal(answerAgreement("The answer is B.", "the answer is b"), 1);
    assert.equal(answerAgreement("B", "C"), 0);
    assert.equal(answerAgreement("a b c", "a b d"), 0.5);
  });

  test("draws a second sample of the same model at temperature > 0 and scores agreement", async () => {
    const caller = scriptedCaller({ cheap: { text: "Paris is the capital.", costUsd: 0.0001 } });
    const scorer = createSelfConsistencyScorer({ caller, latencyBudgetMs: 100, temperature: 0.9, timers: neverTimers });
    const agreeing = await scorer.score({ prompt: "Capital of France?", answer: "paris is the capital", target: cheap, body: { messages: [{ role: "user", content: "Capital of France?" }], max_tokens: 20 } });
    assert.equal(agreeing.score, 1);
    assert.equal(agreeing.costUsd, 0.0001);
    assert.equal(caller.calls[0]?.target.id, "cheap");
    assert.equal(caller.calls[0]?.body.temperature, 0.9);
    assert.equal(caller.calls[0]?.body.max_tokens, 20);
    const disagreeing = await scorer.score({ prompt: "Capital of France?", answer: "Lyon", target: cheap });
    assert.equal(disagreeing.score, 0);
  });
});

describe("createLearnedScorer", () => {
  test("scores with the router's predicted quality of the answering model, without any call", async () => {
    const seen: string[] = [];
    const router: Router = {
      kind: "stub",
      models: ["cheap", "strong"],
      followsObjective: true,
      predictQuality: (input) => {
        seen.push(input.text);
        return Float64Array.from([input.text.includes("hard") ? 0.2 : 0.9, 0.95]);
      },
      toState: () => ({ kind: "stub" }),
    };
    const embedder: Embedder = { kind: "stub", dimension: 2, embed: async (texts) => texts.map(() => new Float32Array(2)), toState: () => ({ kind: "stub" }) };
    const scorer = createLearnedScorer({ router, embedder });
    assert.equal((await scorer.score({ prompt: "easy one", answer: "x", target: cheap })).score, 0.9);
    assert.equal((await scorer.score({ prompt: "hard one", answer: "x", target: cheap })).score, 0.2);
    assert.equal((await scorer.score({ prompt: "hard one", answer: "x", target: strong })).score, 0.95);
    const unknown = await scorer.score({ prompt: "p", answer: "x", target: judge });
    assert.equal(unknown.score, 0);
    assert.equal(unknown.costUsd, 0);
    assert.deepEqual(seen, ["easy one", "hard one", "hard one"]);
  });
});

describe("learned scorer from a trained artifact", () => {
  test("knn trained on the demo sample scores a prompt in [0, 1] for a model it knows, deterministically", async () => {
    const dataset = await loadDataset("examples/demo/routerbench-sample.jsonl");
    const train = dataset.examples.filter((example) => example.split === "train");
    const artifact = await trainRouterArtifact({ examples: train, models: dataset.models, router: "knn", dataset: "demo", split: "train", params: { k: 10, power: 1, priorWeight: 1 } });
    const scorer = createLearnedScorer(await learnedScorerPartsOf(artifact));
    const model = dataset.models[0] as string;
    const target = { id: model, inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 128_000 };
    const prompt = train[0]?.prompt ?? "";
    const first = await scorer.score({ prompt, answer: "", target });
    const second = await scorer.score({ prompt, answer: "", target });
    assert.ok(first.score >= 0 && first.score <= 1);
    assert.equal(first.score, second.score);
    assert.equal(first.costUsd, 0);
  });
});

describe("learned scorer served from the routing engine (the gateway's case)", () => {
  const cheapId = "mistralai/mistral-7b-chat";
  const strongId = "gpt-4-1106-preview";
  const artifactPromise = trainRouterArtifact({ examples: replayExamples, models: [cheapId, strongId], router: "knn", dataset: "replay-fixture", split: "train", params: { k: 2, power: 1, priorWeight: 1 } });
  const targetOf = (id: string) => ({ id, inputUsdPerMTok: 1, outputUsdPerMTok: 1, contextWindow: 128_000 });

  test("gives the same score as the router + embedder scorer over the same artifact, at no cost", async () => {
    const artifact = await artifactPromise;
    const engine = await createRoutingEngine({ artifact, targets: [targetOf(cheapId), targetOf(strongId)] });
    const fromEngine = createEngineLearnedScorer({ engine });
    const fromParts = createLearnedScorer(await learnedScorerPartsOf(artifact));
    for (const prompt of [replayPrompts.arc, replayPrompts.mbpp, "an unrelated question about the weather"]) {
      for (const id of [cheapId, strongId]) {
        const body = { messages: [{ role: "user", content: prompt }] };
        const engineScore = await fromEngine.score({ prompt, answer: "x", target: targetOf(id), body });
        const partsScore = await fromParts.score({ prompt, answer: "x", target: targetOf(id), body });
        assert.ok(Math.abs(engineScore.score - partsScore.score) < 1e-9, `${prompt} / ${id}: ${engineScore.score} vs ${partsScore.score}`);
        assert.equal(engineScore.costUsd, 0);
        assert.equal(fromEngine.kind, "learned");
      }
    }
    const arcCheap = await fromEngine.score({ prompt: replayPrompts.arc, answer: "A", target: targetOf(cheapId) });
    const mbppCheap = await fromEngine.score({ prompt: replayPrompts.mbpp, answer: "def f", target: targetOf(cheapId) });
    assert.ok(arcCheap.score < mbppCheap.score, `${arcCheap.score} vs ${mbppCheap.score}`);
  });

  test("a target the engine cannot route to gets the unknown-target score with a note", async () => {
    const engine = await createRoutingEngine({ artifact: await artifactPromise, targets: [targetOf(cheapId), targetOf(strongId)] });
    const result = await createEngineLearnedScorer({ engine, unknownTargetScore: 0.25 }).score({ prompt: "p", answer: "a", target: targetOf("not-in-the-artifact") });
    assert.equal(result.score, 0.25);
    assert.match(result.note ?? "", /router does not know "not-in-the-artifact"/);
  });

  test("the strategy handler serves the learned scorer from its engine, and needs one of engine or learned", async () => {
    const engine = await createRoutingEngine({ artifact: await artifactPromise, targets: [targetOf(cheapId), targetOf(strongId)] });
    const config = strategiesConfigSchema.parse({ cascade: { ladder: [{ target: cheapId, threshold: 0.5 }, { target: strongId }], scorer: { kind: "learned" } } });
    assert.throws(() => createStrategyHandler({ config, targets: [targetOf(cheapId), targetOf(strongId)] }), /strategies\.cascade\.scorer: the learned scorer needs a trained router/);
    const handler = createStrategyHandler({ config, targets: [targetOf(cheapId), targetOf(strongId)], engine });
    const caller = scriptedCaller({ [cheapId]: { text: "A", costUsd: 0.001 }, [strongId]: { text: "B", costUsd: 0.1 } });
    const result = await handler.run({ body: { model: "cascade", messages: [{ role: "user", content: replayPrompts.arc }] }, caller });
    assert.equal(result.model, strongId);
    assert.deepEqual(result.trace.map((call) => [call.role, call.scorer ?? null]), [["answer", null], ["score", "learned"], ["answer", null]]);
  });
});
