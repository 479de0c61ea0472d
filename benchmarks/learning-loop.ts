/**
 * "The loop pays" (issue 14): a team starts from a router trained on 10% of dcrouter's train split, labels
 * the remaining 90% of the train prompts with `labelDataset` (the library behind `switchyard label`)
 * through the replay upstream and a scripted LLM judge on loopback, then trains on what it has (the 10%
 * with true labels + the 90% judge-labelled). The judge returns the dataset's true score of the graded
 * answer, flipped (s → 1 − s) with probability 0.1 (seeded per prompt and model). Compared on the test
 * split (never labelled, never trained on) by the share of the zero-router → oracle gap recovered, against
 * a router trained on the true labels of the whole train split. Quality figures are deterministic.
 *
 * Then "OPE ranks the two routers": both routers are trained into artifacts (the path of `switchyard
 * train`) and a log of the first router's traffic is drawn — `--ope-requests` prompts drawn uniformly
 * from the test split, served ε-greedily around the first router at knob 0.5 (`--ope-epsilon`, as a
 * canary or an online router explores; a deterministic log would be refused), with the dataset's score
 * and cost of the served model as reward and cost. `runOffPolicyEvaluation` (the code of `switchyard
 * ope`) estimates each router's mean reward and cost on that log; the truth is each router's mean score
 * and cost over the test split at knob 0.5 from the full score matrix.
 *
 * Run: npx tsx benchmarks/learning-loop.ts [--router knn] [--seed 42] [--flip 0.1] [--judge-seed S] [--concurrency 16] [--limit N]
 *      [--ope-epsilon 0.3] [--ope-requests 5000]
 * (--seed: the 10% draw and training; --judge-seed: which verdicts flip, default --seed)
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { offlineTargetsOf } from "../src/artifacts/offline-targets.js";
import { createRoutingEngine } from "../src/core/create-routing-engine.js";
import { queryOfPrompt } from "../src/core/query.js";
import { createRandom, shuffled } from "../src/core/random.js";
import type { RoutingLogEntry } from "../src/data/routing-log-entry.js";
import { runOffPolicyEvaluation } from "../src/ope/run-off-policy-evaluation.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";
import { readRoutingJsonl } from "../src/data/read-routing-jsonl.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import { evaluate } from "../src/eval/evaluate.js";
import type { RouterPredictions } from "../src/eval/evaluation-input.js";
import { parseConfig } from "../src/gateway/config.js";
import { labelDataset } from "../src/labelling/label-dataset.js";
import { createJudgeLabelScorer } from "../src/labelling/label-scorer.js";
import { createUpstreamClient } from "../src/providers/upstream-client.js";
import { createOracleRouter } from "../src/routers/baselines/index.js";
import { createUpstreamChatCaller } from "../src/strategies/chat-caller.js";
import { startReplayUpstream, startScriptedJudgeUpstream } from "../src/testing/index.js";
import { predictAll } from "../src/training/predict.js";
import { trainRouter } from "../src/training/train-router.js";
import { embedExamples, prepareTraining } from "../src/training/training-set.js";
import { loadBenchmarkSplits } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    router: { type: "string", default: "knn" },
    seed: { type: "string", default: "42" },
    flip: { type: "string", default: "0.1" },
    "judge-seed": { type: "string" },
    concurrency: { type: "string", default: "16" },
    limit: { type: "string" },
    "ope-epsilon": { type: "string", default: "0.3" },
    "ope-requests": { type: "string", default: "5000" },
  },
});
const seed = Number(values.seed);
const flip = Number(values.flip);
const judgeSeed = values["judge-seed"] === undefined ? seed : Number(values["judge-seed"]);
const started = performance.now();
const { train, test, models } = await loadBenchmarkSplits("dcrouter", seed);
const order = shuffled(train, createRandom(seed));
const startCount = Math.round(train.length * 0.1);
const start = order.slice(0, startCount);
const rest = order.slice(startCount, values.limit === undefined ? undefined : startCount + Number(values.limit));
const prices = (JSON.parse(await readFile(new URL("../../shared/data/dcrouter/models.json", import.meta.url), "utf8")) as { models: Array<{ id: string; inputUsdPerMTok: number; outputUsdPerMTok: number }> }).models;

// The replay upstream answers each (prompt, model) with a marker of who answered what (dcrouter keeps
// no answer texts), and the recorded token counts, so costs are the dataset's.
const withAnswers: RoutingExample[] = rest.map((example) => ({
  ...example,
  outcomes: Object.fromEntries(Object.entries(example.outcomes).map(([model, outcome]) => [model, { ...outcome, response: `answer by ${model} to ${example.id}` }])),
}));
const byId = new Map(rest.map((example) => [example.id, example]));
let flipped = 0;
const replay = await startReplayUpstream({ examples: withAnswers });
const judge = await startScriptedJudgeUpstream({
  reply: ({ text }) => {
    const match = /answer by (\S+) to (\S+)/.exec(text);
    const outcome = match ? byId.get(match[2]!)?.outcomes[match[1]!] : undefined;
    if (match === null || outcome === undefined) return "unknown";
    // Seeded per (prompt, model), not per call, so concurrency does not change which verdicts flip.
    const draw = createHash("sha256").update(`${judgeSeed}|${match[2]}|${match[1]}`).digest().readUInt32BE(0) / 2 ** 32;
    const score = draw < flip ? 1 - outcome.score : outcome.score;
    if (draw < flip) flipped++;
    return `${score}/1`;
  },
});
const config = parseConfig(
  {
    upstreams: [
      { name: "replay", baseUrl: `${replay.url}/v1` },
      { name: "judge", baseUrl: `${judge.url}/v1` },
    ],
    targets: [...prices.map((model) => ({ id: model.id, inputUsdPerMTok: model.inputUsdPerMTok, outputUsdPerMTok: model.outputUsdPerMTok, upstream: "replay" })), { id: "judge", inputUsdPerMTok: 1, outputUsdPerMTok: 1, upstream: "judge" }],
  },
  "learning-loop",
);
const upstreamClient = createUpstreamClient({ upstreams: config.upstreams });
const caller = createUpstreamChatCaller({ upstreamClient, upstreams: config.upstreams });
const directory = await mkdtemp(join(tmpdir(), "switchyard-learning-loop-"));
const out = join(directory, "labelled.jsonl");
const labelStarted = performance.now();
const summary = await labelDataset({
  prompts: rest.map((example) => ({ id: example.id, prompt: example.prompt, messages: [{ role: "user", content: example.prompt }], ...(example.task === undefined ? {} : { task: example.task }) })),
  targets: models.map((id) => config.targets.find((target) => target.id === id)!),
  caller,
  scorer: createJudgeLabelScorer({ caller, judge: config.targets.find((target) => target.id === "judge")! }),
  out,
  concurrency: Number(values.concurrency),
});
const labelMs = performance.now() - labelStarted;
await upstreamClient.close();
await replay.close();
await judge.close();
const labelled = (await readRoutingJsonl(out)).examples;
await rm(directory, { recursive: true, force: true });

let agree = 0;
let total = 0;
for (const example of labelled) {
  for (const model of models) {
    total++;
    if (example.outcomes[model]!.score === byId.get(example.id)!.outcomes[model]!.score) agree++;
  }
}

const routers: RouterPredictions[] = [];
const trainAndPredict = async (name: string, examples: readonly RoutingExample[]) => {
  const prepared = await prepareTraining(examples, models);
  const trained = trainRouter(prepared, { router: String(values.router), seed });
  const testSet = await embedExamples(prepared.embedder, test, models);
  routers.push({ name, followsObjective: trained.router.followsObjective, ...predictAll(trained.router, prepared.costModel, testSet) });
  return { prepared, testSet };
};
await trainAndPredict(`start: ${values.router} on 10% (${start.length})`, start);
await trainAndPredict(`after label: ${values.router} on 10% true + ${labelled.length} judge-labelled`, [...start, ...labelled]);
const { prepared, testSet } = await trainAndPredict(`reference: ${values.router} on all ${train.length} true labels`, train);
routers.push({ name: "oracle", followsObjective: true, ...predictAll(createOracleRouter(models, test), prepared.costModel, testSet) });
const report = evaluate({ dataset: "dcrouter", trainSplit: "train", testSplit: "test", models, examples: test, routers });

const percent = (value: number | null | undefined) => (value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`);
console.log("## The loop pays (dcrouter, test split)");
console.log("");
console.log(`Command: \`npx tsx benchmarks/learning-loop.ts --router ${values.router} --seed ${seed} --flip ${flip}${judgeSeed === seed ? "" : ` --judge-seed ${judgeSeed}`} --concurrency ${values.concurrency}${values.limit === undefined ? "" : ` --limit ${values.limit}`}\``);
console.log("");
console.log(`label: ${summary.sampled} prompts × ${models.length} models through the replay upstream, judged by a scripted judge (true score flipped with p = ${flip}); ` +
  `${summary.answersCalled} answer calls, ${summary.scored} scores, ${summary.missing} missing, ${summary.failed} failed, ${summary.linesWritten} lines; ` +
  `answers $${summary.answerCostUsd.toFixed(4)} + judge $${summary.judgeCostUsd.toFixed(4)}; ${flipped} verdicts flipped; labels agreeing with the truth ${percent(agree / Math.max(1, total))}; ${(labelMs / 1000).toFixed(1)} s`);
console.log("");
console.log("| router | AIQ | gap recovered |");
console.log("|---|---|---|");
for (const router of report.routers.filter((entry) => entry.name !== "oracle")) console.log(`| ${router.name} | ${router.aiq.toFixed(4)} | ${percent(router.gapRecovered)} |`);
const [first, after, reference] = report.routers;
const difference = ((after?.gapRecovered ?? Number.NaN) - (reference?.gapRecovered ?? Number.NaN)) * 100;
console.log("");
console.log(`after label − reference: ${difference.toFixed(1)} points (bar: within 3); start → after label: ${(((after?.gapRecovered ?? 0) - (first?.gapRecovered ?? 0)) * 100).toFixed(1)} points`);

// OPE ranks the two routers: a log of the first router's (explored) traffic on held-out prompts.
const opeEpsilon = Number(values["ope-epsilon"]);
const opeRequests = Number(values["ope-requests"]);
const knob = 0.5;
const artifactOf = (examples: readonly RoutingExample[], split: string) => trainRouterArtifact({ examples, models, router: String(values.router), seed, dataset: "dcrouter", split });
const startArtifact = await artifactOf(start, "train (10%)");
const afterArtifact = await artifactOf([...start, ...labelled], "train (10% true + judge-labelled)");
const engineOf = (artifact: typeof startArtifact) => createRoutingEngine({ artifact, targets: offlineTargetsOf(artifact) });
const startEngine = await engineOf(startArtifact);
const afterEngine = await engineOf(afterArtifact);
const startChoice: string[] = [];
const startCandidates: RoutingLogEntry["candidates"][] = [];
const truth = { start: { reward: 0, cost: 0 }, after: { reward: 0, cost: 0 } };
for (const example of test) {
  const decision = await startEngine.decide(queryOfPrompt(example.prompt, { quality: knob }, example.id));
  startChoice.push(decision.model);
  startCandidates.push(decision.candidates.map((c) => ({ model: c.model, predictedQuality: c.predictedQuality, predictedCostUsd: c.predictedCostUsd })));
  const afterModel = (await afterEngine.decide(queryOfPrompt(example.prompt, { quality: knob }, example.id))).model;
  truth.start.reward += example.outcomes[decision.model]!.score / test.length;
  truth.start.cost += example.outcomes[decision.model]!.costUsd / test.length;
  truth.after.reward += example.outcomes[afterModel]!.score / test.length;
  truth.after.cost += example.outcomes[afterModel]!.costUsd / test.length;
}
const logRandom = createRandom(seed * 7919 + 1);
const log: RoutingLogEntry[] = Array.from({ length: opeRequests }, (_, request) => {
  const i = Math.floor(logRandom() * test.length);
  const example = test[i]!;
  const model = logRandom() < opeEpsilon ? models[Math.floor(logRandom() * models.length)]! : startChoice[i]!;
  const propensity = (model === startChoice[i] ? 1 - opeEpsilon : 0) + opeEpsilon / models.length;
  const outcome = example.outcomes[model]!;
  return { id: `${example.id}#${request}`, prompt: example.prompt, model, propensity, reward: outcome.score, costUsd: outcome.costUsd, candidates: startCandidates[i]!, router: String(values.router), artifact: "start", knob };
});
const estimates = {
  start: await runOffPolicyEvaluation({ artifact: startArtifact, entries: log, knob }),
  after: await runOffPolicyEvaluation({ artifact: afterArtifact, entries: log, knob }),
};
const ci = (range: [number, number]) => `[${range[0].toFixed(4)}, ${range[1].toFixed(4)}]`;
console.log("");
console.log(`### OPE ranks the two routers (log of the first router's traffic: ${opeRequests} requests from the test split, ε = ${opeEpsilon} around it at knob ${knob})`);
console.log("");
console.log("| router | true reward | SNIPS reward [95% CI] | DR reward [95% CI] | true cost | SNIPS cost | DR cost | ESS |");
console.log("|---|---|---|---|---|---|---|---|");
for (const name of ["start", "after"] as const) {
  const report = estimates[name];
  const snips = report.estimators.snips!;
  const dr = report.estimators.dr!;
  console.log(`| ${name === "start" ? "start (10%)" : "after label"} | ${truth[name].reward.toFixed(4)} | ${snips.reward.toFixed(4)} ${ci(snips.rewardCi)} | ${dr.reward.toFixed(4)} ${ci(dr.rewardCi)} | $${truth[name].cost.toExponential(3)} | $${snips.costUsd.toExponential(3)} | $${dr.costUsd.toExponential(3)} | ${report.effectiveSampleSize.toFixed(0)} |`);
}
const ordering = (a: number, b: number) => (a > b ? "after > start" : a < b ? "after < start" : "tie");
const trueRewardOrder = ordering(truth.after.reward, truth.start.reward);
const trueCostOrder = ordering(truth.after.cost, truth.start.cost);
console.log("");
for (const estimator of ["snips", "dr"] as const) {
  const rewardOrder = ordering(estimates.after.estimators[estimator]!.reward, estimates.start.estimators[estimator]!.reward);
  const costOrder = ordering(estimates.after.estimators[estimator]!.costUsd, estimates.start.estimators[estimator]!.costUsd);
  console.log(`${estimator}: reward ${rewardOrder} (truth ${trueRewardOrder}: ${rewardOrder === trueRewardOrder ? "agrees" : "DISAGREES"}); cost ${costOrder} (truth ${trueCostOrder}: ${costOrder === trueCostOrder ? "agrees" : "DISAGREES"})`);
}
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
