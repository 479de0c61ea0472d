/**
 * Cascades vs one-shot routers on RouterBench (Hu et al. 2024): the cascade (FrugalGPT, Chen et al. 2023) is
 * replayed on the recorded answers with a simulated judge of error rate e ∈ {0, 0.1, 0.2} (with probability e
 * the verdict is 1 − true score; seeded, one draw per (prompt, model)), and with the learned scorer (knn's
 * predicted quality of the answering model). Chains (1–L models, increasing train cost) and, for the learned
 * scorer, thresholds are chosen on the TRAIN split (the chains on the train hull); the figures are the
 * TEST split's. AIQ, zero router and oracle use src/eval's definitions (cost range of the single models on
 * test). One-shot routers (knn, best-single) are trained on the same train split via buildEvaluationInput.
 * Also measures the latency of each stage of a live cascade.
 *
 * Run: npx tsx benchmarks/cascade.ts [--out /work/coord/bench-cascade.md] [--seed 42]
 */
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createRandom } from "../src/core/random.js";
import type { Target } from "../src/core/target.js";
import { loadDataset } from "../src/data/load-dataset.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import { evaluate } from "../src/eval/evaluate.js";
import { nonDecreasingConvexHull } from "../src/eval/hull.js";
import { aiq, gapRecovered, qualityAtCost } from "../src/eval/metrics.js";
import { outcomeMatrix, type OutcomeMatrix } from "../src/eval/outcome-matrix.js";
import { parseConfig } from "../src/gateway/config.js";
import { listen } from "../src/gateway/serve.js";
import { createUpstreamClient } from "../src/providers/upstream-client.js";
import { chainsOnHull, increasingChains, simulateCascade, simulatedJudgeVerdicts, type SimulatedCascade } from "../src/strategies/cascade/simulate-cascade.js";
import { runCascade } from "../src/strategies/cascade/run-cascade.js";
import { createUpstreamChatCaller } from "../src/strategies/chat-caller.js";
import { createJudgeScorer } from "../src/strategies/scorers/judge-scorer.js";
import { createReplayUpstream } from "../src/testing/replay-upstream.js";
import { buildEvaluationInput } from "../src/training/run-evaluation.js";

const dataDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../shared/data");
const { values } = parseArgs({ options: { out: { type: "string" }, seed: { type: "string", default: "42" }, latencyRequests: { type: "string", default: "200" } } });
const seed = Number(values.seed);
const errorRates = [0, 0.1, 0.2];
const thresholds = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

const lines: string[] = [];
const print = (line: string): void => {
  lines.push(line);
  console.log(line);
};
const fixed = (value: number | null | undefined, digits: number): string => (value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits));
const percent = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`);
const shortName = (model: string): string => model.slice(model.lastIndexOf("/") + 1);
const usd = (value: number): string => `$${value.toPrecision(3)}`;

const dataset = await loadDataset(join(dataDir, "routerbench/dataset.jsonl"));
const models = [...dataset.models];
const train = dataset.examples.filter((example) => example.split === "train");
const test = dataset.examples.filter((example) => example.split === "test");
const truthTrain = outcomeMatrix(train, models);
const truthTest = outcomeMatrix(test, models);
const meanTrainCost = models.map((_, m) => truthTrain.costUsd.reduce((sum, row) => sum + (row[m] ?? 0), 0) / train.length);
const cheapest = meanTrainCost.indexOf(Math.min(...meanTrainCost));

// One-shot routers, trained on train, evaluated on test; the report carries the cost range, zero router and oracle.
const input = await buildEvaluationInput({ dataset: "routerbench", trainSplit: "train", testSplit: "test", train, test, models, routers: ["knn", "best-single"], seed });
const report = evaluate(input);
const { min: cMin, max: cMax } = report.costRangeUsd;
const knnTest = input.routers.find((router) => router.name === "knn")!.quality;

// Out-of-fold knn predictions on train (2 folds), so the learned scorer's thresholds are chosen without test data.
const foldOf = (index: number): number => index % 2;
const knnTrain: Float64Array[] = new Array(train.length);
for (const fold of [0, 1]) {
  const fit = train.filter((_, i) => foldOf(i) !== fold);
  const held = train.filter((_, i) => foldOf(i) === fold);
  const foldInput = await buildEvaluationInput({ dataset: "routerbench", trainSplit: "train-fold", testSplit: "train-held", train: fit, test: held, models, routers: ["knn"], seed });
  let k = 0;
  train.forEach((_, i) => {
    if (foldOf(i) === fold) knnTrain[i] = foldInput.routers[0]!.quality[k++]!;
  });
}

/** Judge cost per example: free, or one call of the cheapest model (a 7B-class judge reading the prompt and answer). */
const judgeCosts = (truth: OutcomeMatrix, kind: "free" | "cheapest-model"): Float64Array | undefined =>
  kind === "free" ? undefined : Float64Array.from(truth.costUsd, (row) => row[cheapest] ?? 0);

interface CurveRow {
  name: string;
  testRuns: Array<SimulatedCascade & { threshold: number }>;
}

function curveFor(options: { maxLength: number; trainVerdicts: Float64Array[]; testVerdicts: Float64Array[]; judge: "free" | "cheapest-model"; thresholdGrid: readonly number[] }): Array<SimulatedCascade & { threshold: number }> {
  const chains = increasingChains(meanTrainCost, options.maxLength);
  const trainRuns: Array<SimulatedCascade & { threshold: number }> = [];
  for (const chain of chains) {
    for (const threshold of chain.length === 1 ? [0.5] : options.thresholdGrid) {
      trainRuns.push({ ...simulateCascade({ truth: truthTrain, verdicts: options.trainVerdicts, chain, threshold, judgeCostUsd: judgeCosts(truthTrain, options.judge) }), threshold });
    }
  }
  const chosen = chainsOnHull(trainRuns) as Array<SimulatedCascade & { threshold: number }>;
  return chosen.map((run) => ({ ...simulateCascade({ truth: truthTest, verdicts: options.testVerdicts, chain: run.chain, threshold: run.threshold, judgeCostUsd: judgeCosts(truthTest, options.judge) }), threshold: run.threshold }));
}

const rows: CurveRow[] = [];
for (const judge of ["free", "cheapest-model"] as const) {
  for (const errorRate of errorRates) {
    const trainVerdicts = simulatedJudgeVerdicts(truthTrain, { errorRate, random: createRandom(seed * 1000 + Math.round(errorRate * 100)) });
    const testVerdicts = simulatedJudgeVerdicts(truthTest, { errorRate, random: createRandom(seed * 1000 + 500 + Math.round(errorRate * 100)) });
    for (const maxLength of [2, 3]) {
      rows.push({ name: `cascade L≤${maxLength}, judge e=${errorRate}, judge cost ${judge === "free" ? "0" : "= cheapest model"}`, testRuns: curveFor({ maxLength, trainVerdicts, testVerdicts, judge, thresholdGrid: [0.5] }) });
    }
  }
}
for (const maxLength of [2, 3]) {
  rows.push({ name: `cascade L≤${maxLength}, learned scorer (knn), thresholds on train`, testRuns: curveFor({ maxLength, trainVerdicts: knnTrain, testVerdicts: knnTest, judge: "free", thresholdGrid: thresholds }) });
}

print("# Cascades vs one-shot routers (RouterBench, test split; chains and thresholds chosen on train)");
print("");
print(`Command: \`npx tsx benchmarks/cascade.ts --seed ${seed}\``);
print("");
print(`Data: ${dataDir}/routerbench/dataset.jsonl — ${train.length} train / ${test.length} test prompts × ${models.length} models. Cost range of single models on test: ${usd(cMin)} – ${usd(cMax)}.`);
print(`Zero router AIQ ${fixed(report.zeroRouter.aiq, 4)}, oracle AIQ ${fixed(report.oracle.aiq, 4)} (oracle point ${fixed(report.oracle.point.meanQuality, 3)} @ ${usd(report.oracle.point.meanCostUsd)}); best single ${report.bestSingle.model} ${fixed(report.bestSingle.meanQuality, 3)} @ ${usd(report.bestSingle.meanCostUsd)}.`);
print("");
print("| strategy | AIQ | gap recovered | quality @ best-single cost | max quality | its cost | test chains on curve |");
print("|---|---:|---:|---:|---:|---:|---|");
for (const router of report.routers) {
  const top = router.hull[router.hull.length - 1];
  print(`| one-shot ${router.name} | ${fixed(router.aiq, 4)} | ${percent(router.gapRecovered)} | ${fixed(router.qualityAtBestSingleCost, 3)} | ${fixed(top?.quality, 3)} | ${top ? usd(top.costUsd) : "–"} | |`);
}
for (const row of rows) {
  const hull = nonDecreasingConvexHull(row.testRuns.map((run) => ({ costUsd: run.meanCostUsd, quality: run.meanQuality })));
  const value = aiq(hull, cMin, cMax);
  const top = hull[hull.length - 1];
  const chains = row.testRuns.filter((run) => run.chain.length > 1).map((run) => `${run.chain.map((m) => shortName(models[m]!)).join("→")}${row.name.includes("learned") ? ` @${run.threshold}` : ""}`);
  print(`| ${row.name} | ${fixed(value, 4)} | ${percent(gapRecovered(value, report.zeroRouter.aiq, report.oracle.aiq))} | ${fixed(qualityAtCost(hull, report.bestSingle.meanCostUsd), 3)} | ${fixed(top?.quality, 3)} | ${top ? usd(top.costUsd) : "–"} | ${chains.slice(0, 3).join("; ")}${chains.length > 3 ? ` (+${chains.length - 3})` : ""} |`);
}
print("");
print("Simulated judge: per (prompt, model) one seeded draw; with probability e the verdict is `1 − score` (wrong), else `score`; an answer is accepted when the verdict ≥ 0.5. Judge cost: either 0 (RouterBench's idealisation) or, per judgement, the recorded cost of the cheapest model (" + models[cheapest] + ") on that prompt — a 7B-class judge reading about as many tokens. The last step is never judged. Curves include 1-model chains (single models) when they are on the train hull, so a cascade curve is never below the zero router on train.");

// Latency of each stage of a live cascade: the replay upstream over loopback HTTP, the judge (a scripted
// upstream answering "10"), and the cascade's own orchestration.
const latencyRequests = Number(values.latencyRequests);
// dataset.jsonl carries no answer texts; the CSVs (same prompts) do, and the replay upstream serves them.
const withAnswers = await loadDataset(join(dataDir, "routerbench"));
const sample: RoutingExample[] = withAnswers.examples.filter((example) => example.split === "test").slice(0, latencyRequests);
const replay = await listen(createReplayUpstream({ examples: sample }).fetch, 0, "127.0.0.1");
const judgeServer = await listen(
  async () => new Response(JSON.stringify({ id: "j", object: "chat.completion", created: 0, model: "judge", choices: [{ index: 0, message: { role: "assistant", content: "3" }, finish_reason: "stop" }], usage: { prompt_tokens: 100, completion_tokens: 1 } }), { headers: { "content-type": "application/json" } }),
  0,
  "127.0.0.1",
);
const config = parseConfig(
  {
    upstreams: [{ name: "replay", baseUrl: `${replay.url}/v1` }, { name: "judge", baseUrl: `${judgeServer.url}/v1` }],
    targets: [
      { id: "mistralai/mistral-7b-chat", upstream: "replay", inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.2 },
      { id: "gpt-4-1106-preview", upstream: "replay", inputUsdPerMTok: 10, outputUsdPerMTok: 30 },
      { id: "judge", upstream: "judge", inputUsdPerMTok: 0.2, outputUsdPerMTok: 0.2 },
    ],
  },
  "bench",
);
const client = createUpstreamClient({ upstreams: config.upstreams });
const caller = createUpstreamChatCaller({ upstreamClient: client, upstreams: config.upstreams });
const targetOf = (id: string): Target => config.targets.find((target) => target.id === id)!;
const scorer = createJudgeScorer({ caller, judge: targetOf("judge"), latencyBudgetMs: 5_000 });
const stage = { answer: [] as number[], judge: [] as number[], total: [] as number[] };
for (const example of sample) {
  const result = await runCascade({ body: { messages: [{ role: "user", content: example.prompt }] } }, { caller, scorer, ladder: [{ target: targetOf("mistralai/mistral-7b-chat"), threshold: 0.5 }, { target: targetOf("gpt-4-1106-preview"), threshold: 1 }] });
  for (const entry of result.trace) (entry.role === "answer" ? stage.answer : stage.judge).push(entry.latencyMs);
  const answersAndJudges = result.trace.reduce((sum, entry) => sum + entry.latencyMs, 0);
  stage.total.push(result.latencyMs - answersAndJudges);
}
await client.close();
await replay.close();
await judgeServer.close();
const quantiles = (values: number[]): string => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN;
  return `${fixed(at(0.5), 3)} / ${fixed(at(0.99), 3)}`;
};
print("");
print(`## Latency of each stage (ms, median / p99; ${sample.length} test prompts; 2-step ladder mistral-7b → gpt-4 over loopback HTTP against the replay upstream, judge = scripted upstream answering "3" so every prompt escalates)`);
print("");
print("| stage | median / p99 ms |");
print("|---|---:|");
print(`| answer call (replay upstream, loopback) | ${quantiles(stage.answer)} |`);
print(`| judge call + parse | ${quantiles(stage.judge)} |`);
print(`| cascade orchestration (total − calls) | ${quantiles(stage.total)} |`);
print(`| one-shot router decision (knn, embedding + prediction, per prompt, mean) | ${fixed(report.routers.find((router) => router.name === "knn")?.decideMsPerPrompt, 3)} |`);

if (values.out) await writeFile(values.out, `${lines.join("\n")}\n`);
