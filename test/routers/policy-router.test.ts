import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { queryOfPrompt } from "../../src/core/query.js";
import { trainOutOfDomainDetector } from "../../src/guard/out-of-domain-detector.js";
import { hashedTfidfEmbedderFactory } from "../../src/embedders/hashed-tfidf/index.js";
import { fitPolicyThresholds } from "../../src/routers/policy/fit-policy-thresholds.js";
import { archRouterPrompt, parseJudgeReply } from "../../src/routers/policy/llm-judge.js";
import { createPolicyRouter } from "../../src/routers/policy/policy-router.js";
import { requestContextOf } from "../../src/routers/policy/request-rules.js";
import { createSimilarityMatcher } from "../../src/routers/policy/similarity-matcher.js";
import { loadPolicyRouter } from "../../src/routers/policy/load-policy-router.js";
import { createManualTimer, deferred } from "../guard/manual-timer.js";
import { toyDomains, toyOutOfDomain } from "../guard/toy-domains.js";
import type { CancelSignal } from "../../src/resilience/cancel-signal.js";

const routes = [
  { name: "banking", description: "bank accounts, balances, transfers and payments", examples: toyDomains.banking!, models: ["cheap-finance", "big-finance"] },
  { name: "travel", description: "flights, hotels, trips and visas", examples: toyDomains.travel!, model: "travel-model" },
  { name: "cooking", description: "recipes, ingredients and cooking times", examples: toyDomains.cooking!, model: "chef-model" },
];
const policy = { routes, default: { model: "general-model" }, matcher: { kind: "similarity" as const, topK: 3, threshold: 0.15 } };

async function matcher() {
  const embedder = await hashedTfidfEmbedderFactory.fit(routes.flatMap((route) => [route.description, ...route.examples]), { dimension: 1 << 14 });
  return createSimilarityMatcher({ routes, embedder, topK: 3 });
}

test("the similarity matcher picks routes by top-k similarity, and a low score falls back to the default", async () => {
  const router = createPolicyRouter({ policy, matcher: await matcher() });
  const bank = await router.selectRoute(queryOfPrompt("please transfer money to my savings account"));
  assert.deepEqual([bank.route, bank.source, bank.models], ["banking", "matcher", ["cheap-finance", "big-finance"]]);
  assert.equal((await router.selectRoute(queryOfPrompt("how long should i bake the chicken"))).route, "cooking");
  const unknown = await router.selectRoute(queryOfPrompt("zebra quantum xylophone"));
  assert.deepEqual([unknown.route, unknown.source, unknown.models], [null, "default", ["general-model"]]);
  assert.ok(unknown.matched!.score < 0.15);
});

test("rules run first: a route rule skips the matcher, a models/quality rule composes with it", async () => {
  const router = createPolicyRouter({
    policy: { ...policy, rules: [{ name: "free", when: { "metadata.tier": "free" }, then: { route: "default", quality: 0 } }, { when: { hasTools: true }, then: { models: ["tool-model"], quality: 0.9 } }] },
    matcher: await matcher(),
  });
  const query = queryOfPrompt("book a flight to paris");
  const free = await router.selectRoute(query, requestContextOf({ messages: query.messages, metadata: { tier: "free" } }));
  assert.deepEqual([free.route, free.source, free.quality, free.rule, free.matched], [null, "rule", 0, "free", undefined]);
  const tools = await router.selectRoute(query, requestContextOf({ messages: query.messages, tools: [{}] }));
  assert.deepEqual([tools.route, tools.source, tools.models, tools.quality, tools.rule], ["travel", "matcher", ["tool-model"], 0.9, "rules[1]"]);
});

test("the LLM judge decides when it answers in time", async () => {
  const { timer } = createManualTimer();
  let prompt = "";
  const router = createPolicyRouter({ policy: { ...policy, judge: { target: "arch-router", latencyBudgetMs: 100 } }, matcher: await matcher(), judge: async (p) => ((prompt = p), '{"route": "cooking"}'), timer });
  const selection = await router.selectRoute(queryOfPrompt("transfer money to savings"));
  assert.deepEqual([selection.route, selection.source, selection.judge, selection.matched?.route], ["cooking", "judge", "ok", "banking"]);
  assert.match(prompt, /<routes>\n\[\{"name":"banking","description":"bank accounts/);
});

test("a late judge leaves the embedding decision standing", async () => {
  const { timer, fire } = createManualTimer();
  const late = deferred<string>();
  let signal: CancelSignal | undefined;
  const router = createPolicyRouter({ policy: { ...policy, judge: { target: "arch-router", latencyBudgetMs: 100 } }, matcher: await matcher(), judge: (_prompt, given) => ((signal = given), late.promise), timer });
  const pending = router.selectRoute(queryOfPrompt("transfer money to savings"));
  // Let the matcher run, then the budget expires before the judge answers.
  for (let i = 0; i < 20; i++) await Promise.resolve();
  fire();
  const selection = await pending;
  late.resolve('{"route": "travel"}');
  assert.deepEqual([selection.route, selection.source, selection.judge], ["banking", "matcher", "timeout"]);
  assert.equal(signal?.aborted, true, "the late judge call is aborted");
});

test("a judge answering garbage or 'other' is handled", async () => {
  const { timer } = createManualTimer();
  const garbage = createPolicyRouter({ policy: { ...policy, judge: { target: "j", latencyBudgetMs: 100 } }, matcher: await matcher(), judge: async () => "I would pick the finance one!", timer });
  const selection = await garbage.selectRoute(queryOfPrompt("transfer money to savings"));
  assert.deepEqual([selection.route, selection.source, selection.judge], ["banking", "matcher", "unparseable"]);
  const other = createPolicyRouter({ policy: { ...policy, judge: { target: "j", latencyBudgetMs: 100 } }, matcher: await matcher(), judge: async () => '{"route": "other"}', timer });
  assert.deepEqual((await other.selectRoute(queryOfPrompt("transfer money to savings"))).models, ["general-model"]);
  assert.equal(parseJudgeReply(" Travel. ", ["banking", "travel"]), "travel");
  assert.equal(parseJudgeReply("", ["banking"]), undefined);
  assert.match(archRouterPrompt([{ name: "a", description: "b" }], "hi"), /\{"route": "other"\}/);
});

test("fitted thresholds send out-of-domain utterances to the default and keep in-domain ones", async () => {
  const m = await matcher();
  const labelled = [
    ...Object.entries(toyDomains).flatMap(([route, texts]) => texts.slice(0, 6).map((text) => ({ text: `${text} please`, route }))),
    ...toyOutOfDomain.map((text) => ({ text, route: null })),
  ];
  const fits = await fitPolicyThresholds(m, labelled);
  assert.ok(fits.length >= 2);
  for (const fit of fits) assert.ok(fit.accuracyAfter >= fit.accuracyBefore, JSON.stringify(fit));
  const total = fits.reduce((sum, fit) => sum + fit.examples, 0);
  assert.equal(total, labelled.length);
});

test("loadPolicyRouter builds the configured matcher and rejects a judge without a way to call it", async () => {
  const router = await loadPolicyRouter(policy, { baseDirectory: "." });
  assert.equal((await router.selectRoute(queryOfPrompt("find me a hotel in rome"))).route, "travel");
  await assert.rejects(loadPolicyRouter({ ...policy, judge: { target: "j" } }, { baseDirectory: "." }), /policy\.judge is configured/);
  await assert.rejects(loadPolicyRouter({ ...policy, matcher: { kind: "similarity", topK: 0 } }, { baseDirectory: "." }), /^SwitchyardError: policy\.matcher\.topK: /);
});

test("a classifier matcher loads from an out-of-domain detector artifact and its routes must match the policy's", async () => {
  const directory = await mkdtemp(join(tmpdir(), "switchyard-policy-"));
  const detector = await trainOutOfDomainDetector(Object.entries(toyDomains).flatMap(([route, texts]) => texts.map((text) => ({ text, route }))), toyOutOfDomain, { seed: 3, hiddenUnits: 32, epochs: 40, hashing: { dimension: 1 << 14 } });
  await writeFile(join(directory, "domain.json"), JSON.stringify(detector.toArtifact()));
  const router = await loadPolicyRouter({ ...policy, matcher: { kind: "classifier", artifact: "domain.json", threshold: 0.5 } }, { baseDirectory: directory });
  const travel = await router.selectRoute(queryOfPrompt("is my flight to rome delayed"));
  assert.deepEqual([travel.route, travel.source, travel.models], ["travel", "matcher", ["travel-model"]]);
  assert.equal((await router.selectRoute(queryOfPrompt("who painted the mona lisa"))).route, null);
  await assert.rejects(loadPolicyRouter({ ...policy, routes: routes.slice(0, 2), matcher: { kind: "classifier", artifact: "domain.json" } }, { baseDirectory: directory }), /matcher knows route cooking, which the policy does not declare/);
});
