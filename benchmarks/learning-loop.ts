/**
 * "The loop pays" (issue 14): a team starts from a router trained on 10% of dcrouter's train split, labels
 * the remaining 90% of the train prompts with `labelDataset` (the library behind `switchyard label`)
 * through the replay upstream and a scripted LLM judge on loopback, then trains on what it has (the 10%
 * with true labels + the 90% judge-labelled). The judge returns the dataset's true score of the graded
 * answer, flipped (s → 1 − s) with probability 0.1 (seeded per prompt and model). Compared on the test
 * split (never labelled, never trained on) by the share of the zero-router → oracle gap recovered, against
 * a router trained on the true labels of the whole train split. Quality figures are deterministic.
 *
 * Run: npx tsx benchmarks/learning-loop.ts [--router knn] [--seed 42] [--flip 0.1] [--judge-seed S] [--concurrency 16] [--limit N]
 * (--seed: the 10% draw and training; --judge-seed: which verdicts flip, default --seed)
 */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createRandom, shuffled } from "../src/core/random.js";
import { estimateTokens } from "../src/core/tokens.js";
import { readRoutingJsonl } from "../src/data/read-routing-jsonl.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import { isSparseEmbedder } from "../src/embedders/sparse-vector.js";
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
import { prepareTraining } from "../src/training/training-set.js";
import { loadBenchmarkSplits } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    router: { type: "string", default: "knn" },
    seed: { type: "string", default: "42" },
    flip: { type: "string", default: "0.1" },
    "judge-seed": { type: "string" },
    concurrency: { type: "string", default: "16" },
    limit: { type: "string" },
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
  const prompts = test.map((example) => example.prompt);
  const testSet = {
    examples: test,
    embeddings: await prepared.embedder.embed(prompts),
    sparseEmbeddings: isSparseEmbedder(prepared.embedder) ? prepared.embedder.embedSparse(prompts) : undefined,
    promptTokens: prompts.map(estimateTokens),
    models,
  };
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
console.log("OPE ranking of the two routers on a log of the first router's traffic: not run here (the `ope` command is another branch's; the integrator adds it).");
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
