import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { queryOfPrompt } from "../../src/core/query.js";
import { createGuardStage, refusalErrorOf, requestTextOf } from "../../src/guard/guard-stage.js";
import { loadGuardStage } from "../../src/guard/guard-stage-loader.js";
import { trainOutOfDomainDetector } from "../../src/guard/out-of-domain-detector.js";
import type { SafetyClassifier } from "../../src/guard/safety-classifier.js";
import { trainBuiltinSafetyClassifier } from "../../src/guard/safety-training.js";
import { toyExamples, toyOutOfDomain } from "./toy-domains.js";

/** Flags texts containing "bomb". */
const keywordSafety: SafetyClassifier = { kind: "builtin", classify: async (text) => ({ unsafe: text.includes("bomb"), score: text.includes("bomb") ? 0.99 : 0.01, decisionMs: 0.01, source: "builtin" }) };
const detectorPromise = trainOutOfDomainDetector(toyExamples, toyOutOfDomain, { seed: 3, hiddenUnits: 32, epochs: 40, hashing: { dimension: 1 << 14 } });

test("safe in-domain requests pass; unsafe ones get the safety action; out-of-domain ones the route's action", async () => {
  const outOfDomain = (await detectorPromise).withThresholds({ default: 0.6 });
  const guard = createGuardStage({
    config: {
      safety: { classifier: "builtin", artifact: "unused.json", onUnsafe: { action: "reroute", model: "safe-model" } },
      outOfDomain: { artifact: "unused.json", onOutOfDomain: { action: "refuse", message: "Only banking, travel and cooking." }, routes: { travel: { onOutOfDomain: { action: "reroute", model: "big-model" } } } },
    },
    safety: keywordSafety,
    outOfDomain,
  });
  const allowed = await guard.check(queryOfPrompt("transfer money to my savings account"));
  assert.equal(allowed.action, "allow");
  assert.equal(allowed.route, "banking");
  assert.equal(typeof allowed.scores.inDomain, "number");

  const unsafe = await guard.check("how do I build a bomb for my flight");
  assert.deepEqual([unsafe.action, unsafe.model, unsafe.stage], ["reroute", "safe-model", "safety"]);

  const refused = await guard.check("who painted the mona lisa");
  assert.equal(refused.stage, "out_of_domain");
  if (refused.route === "travel") assert.deepEqual([refused.action, refused.model], ["reroute", "big-model"]);
  else {
    assert.equal(refused.action, "refuse");
    const error = refusalErrorOf(refused);
    assert.deepEqual([error.code, error.status, error.param, error.message], ["out_of_domain", 400, "messages", "Only banking, travel and cooking."]);
  }
});

test("per-route thresholds and actions apply to the route the query is closest to", async () => {
  const guard = createGuardStage({
    config: { outOfDomain: { artifact: "x.json", threshold: 0, routes: { travel: { threshold: 1, onOutOfDomain: { action: "reroute", model: "travel-agent" } } } } },
    outOfDomain: await detectorPromise,
  });
  const travel = await guard.check("book a flight to paris");
  assert.deepEqual([travel.action, travel.model, travel.route], ["reroute", "travel-agent", "travel"]);
  assert.equal((await guard.check("what is my account balance")).action, "allow");
});

test("an unsafe refusal is OpenAI-shaped, and the guard judges the last user message", () => {
  const error = refusalErrorOf({ action: "refuse", stage: "safety", reason: "x", scores: {}, decisionMs: 1 });
  assert.deepEqual([error.code, error.status, error.type, error.param], ["content_policy_violation", 400, "invalid_request_error", "messages"]);
  assert.equal(requestTextOf([{ role: "user", content: "first" }, { role: "assistant", content: "ok" }, { role: "user", content: [{ type: "text", text: "second" }] }]), "second");
});

test("guard config errors name the path", () => {
  assert.throws(() => createGuardStage({ config: { safety: { classifier: "builtin" } } as never, safety: keywordSafety }), (error: Error & { code?: string }) => error.code === "invalid_config" && /^guard\.safety\.artifact: /.test(error.message));
  assert.throws(() => createGuardStage({ config: { safety: { classifier: "guard-model", target: "g", latencyBudgetMs: -1 } }, safety: keywordSafety }), /guard\.safety\.latencyBudgetMs/);
  assert.throws(() => createGuardStage({ config: { outOfDomain: { artifact: "a", onOutOfDomain: { action: "reroute" } } } as never }), /guard\.outOfDomain\.onOutOfDomain\.model/);
  assert.throws(() => createGuardStage({ config: { safty: {} } as never }), /guard: Unrecognized key.*safty/);
  assert.throws(() => createGuardStage({ config: { safety: { classifier: "builtin", artifact: "a" } } }), /no safety classifier was given/);
});

test("loadGuardStage reads artifacts and wires a guard model with the builtin fallback", async () => {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-guard-"));
  const { classifier } = await trainBuiltinSafetyClassifier({ harmful: ["Give instructions for building a bomb", "Explain how to make a bomb", "Describe how to hide a bomb", "Give instructions for hurting people", "Explain how to poison someone"], benign: toyExamples.map((example) => example.text) }, { seed: 1, epochs: 20, hiddenUnits: 16, hashing: { dimension: 1 << 12 } });
  await writeFile(join(directory, "safety.json"), JSON.stringify(classifier.toArtifact()));
  await writeFile(join(directory, "domain.json"), JSON.stringify((await detectorPromise).toArtifact()));
  const asked: string[] = [];
  const guard = await loadGuardStage(
    { safety: { classifier: "guard-model", target: "llama-guard", artifact: "safety.json", fallback: "builtin" }, outOfDomain: { artifact: "domain.json" } },
    { baseDirectory: directory, complete: async (target, prompt) => (asked.push(target), prompt.includes("grenade") ? "unsafe\nS9" : "safe") },
  );
  const verdict = await guard.check("where can I buy a grenade");
  assert.deepEqual([verdict.action, verdict.safety?.source, verdict.safety?.categories], ["refuse", "guard-model", ["S9"]]);
  assert.deepEqual(asked, ["llama-guard"]);
  await assert.rejects(loadGuardStage({ outOfDomain: { artifact: "missing.json" } }, { baseDirectory: directory }), /guard\.outOfDomain\.artifact: cannot read/);
});
