/**
 * Routing quality of every router side by side, on the test splits of the shared datasets: RouterBench's
 * AIQ and share of the zero-router → oracle gap recovered (Hu et al. 2024), quality at the best single
 * model's cost, cost fraction needed to match the best single model, RouteLLM's APGR on two-model sets
 * (Ong et al. 2024), training time and per-prompt decision latency (embedding + prediction, mean and p99).
 * Routers are trained on the train split only (`trainRouter`: the router, then its knob calibration on an
 * 80/20 split of the train split); every hyper-parameter and ensemble choice is cross-validated inside
 * the train split. The test split is only predicted.
 *
 * Run: npx tsx benchmarks/routing-quality.ts [--sets routerbench,dcrouter,routellm-mmlu,routellm-gsm8k]
 *      [--routers knn,task-knn,cluster,ensemble,auto] [--out /work/coord/bench-quality.md] [--seed 42]
 *      [--variants '{"knn-carrot":{"router":"knn","params":{"cost":"neighbours"}}}']
 *      [--embedder sentence-encoder] [--embedder-options '{"part":"whole"}']   (default: hashed-tfidf)
 * A name in --routers that is a key of --variants is trained as that router with those parameters.
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { estimateTokens } from "../src/core/tokens.js";
import { isSparseEmbedder } from "../src/embedders/sparse-vector.js";
import { evaluate } from "../src/eval/evaluate.js";
import type { RouterPredictions } from "../src/eval/evaluation-input.js";
import { createOracleRouter } from "../src/routers/baselines/index.js";
import type { RouterState } from "../src/routers/router.js";
import type { RouteInput } from "../src/routers/router.js";
import { predictAll } from "../src/training/predict.js";
import { trainRouter } from "../src/training/train-router.js";
import { prepareTraining } from "../src/training/training-set.js";
import { BENCHMARK_SETS, loadBenchmarkSplits } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: Object.keys(BENCHMARK_SETS).join(",") },
    routers: { type: "string", default: "knn,task-knn,cluster,ensemble,auto" },
    out: { type: "string" },
    seed: { type: "string", default: "42" },
    variants: { type: "string", default: "{}" },
    embedder: { type: "string", default: "hashed-tfidf" },
    "embedder-options": { type: "string" },
  },
});
const seed = Number(values.seed);
const routerNames = values.routers.split(",").filter((name) => name.length > 0);
const variants = JSON.parse(values.variants) as Record<string, { router: string; params?: Record<string, unknown> }>;
const embedderSpec = { kind: values.embedder, options: values["embedder-options"] === undefined ? undefined : (JSON.parse(values["embedder-options"]) as Record<string, unknown>) };

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

const fixed = (value: number | null | undefined, digits: number): string => (value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits));
const percent = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`);

const lines: string[] = [];
const print = (line: string): void => {
  lines.push(line);
  console.log(line);
};
const started = performance.now();
print(`# Routing quality (test splits; trained and tuned on train only)`);
print("");
print(`Command: \`npx tsx benchmarks/routing-quality.ts --sets ${values.sets} --routers ${values.routers} --seed ${seed}${values.variants === "{}" ? "" : ` --variants '${values.variants}'`}${values.embedder === "hashed-tfidf" ? "" : ` --embedder ${values.embedder}`}${values["embedder-options"] === undefined ? "" : ` --embedder-options '${values["embedder-options"]}'`}\``);
const notes: string[] = [];

for (const name of values.sets.split(",")) {
  const { train, test, models } = await loadBenchmarkSplits(name, seed);
  const prepared = await prepareTraining(train, models, embedderSpec);
  const embedder = prepared.embedder;
  const testPrompts = test.map((example) => example.prompt);
  const testSet = {
    examples: test,
    embeddings: await embedder.embed(testPrompts),
    sparseEmbeddings: isSparseEmbedder(embedder) ? embedder.embedSparse(testPrompts) : undefined,
    promptTokens: testPrompts.map(estimateTokens),
    models,
  };
  const routers: RouterPredictions[] = [];
  const latency = new Map<string, { mean: number; p99: number }>();
  for (const routerName of [...routerNames, "best-single"]) {
    const variant = variants[routerName];
    const trained = trainRouter(prepared, { router: variant?.router ?? routerName, seed, params: variant?.params });
    const predictions = predictAll(trained.router, prepared.costModel, testSet);
    // Decision latency per prompt, as served: embed the one prompt, then predict.
    const times: number[] = [];
    for (const prompt of testPrompts.slice(0, 400)) {
      const t = performance.now();
      const [embedding] = await embedder.embed([prompt]);
      const sparseEmbedding = isSparseEmbedder(embedder) ? embedder.embedSparse([prompt])[0] : undefined;
      const input: RouteInput = { text: prompt, embedding: embedding!, sparseEmbedding, promptTokens: estimateTokens(prompt) };
      trained.router.predictQuality(input);
      trained.router.predictCostUsd?.(input);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const mean = times.reduce((sum, t) => sum + t, 0) / Math.max(1, times.length);
    latency.set(routerName, { mean, p99: percentile(times, 0.99) });
    routers.push({
      name: routerName,
      followsObjective: trained.router.followsObjective,
      ...predictions,
      calibration: trained.router.followsObjective ? trained.calibration : undefined,
      trainMs: trained.trainMs,
      decideMsPerPrompt: mean,
    });
    const state = trained.router.toState() as RouterState & { chosen?: RouterState & { cv?: { chosen?: string } }; cv?: { chosen?: string } };
    const kind = variant?.router ?? routerName;
    if (kind === "auto") notes.push(`${name}: ${routerName} chose ${state.chosen?.kind ?? "?"}${state.chosen?.kind === "ensemble" ? ` (${state.chosen.cv?.chosen ?? "?"})` : ""}; CV: ${JSON.stringify((state.cv as { candidates?: unknown })?.candidates ?? [])}`);
    if (kind === "ensemble") notes.push(`${name}: ${routerName} meta-model ${state.cv?.chosen ?? "?"}`);
  }
  routers.push({ name: "oracle", followsObjective: true, ...predictAll(createOracleRouter(models, test), prepared.costModel, testSet) });
  const report = evaluate({ dataset: name, trainSplit: "train", testSplit: "test", models, examples: test, routers });
  const twoModel = report.twoModel !== undefined;
  print("");
  print(`## ${name} (${train.length} train / ${test.length} test prompts, ${models.length} models; best single ${report.bestSingle.model} ${fixed(report.bestSingle.meanQuality, 3)} @ $${report.bestSingle.meanCostUsd.toPrecision(3)})`);
  print("");
  print(`| router | AIQ | gap recovered | quality @ best-single cost | cost to match best single | APGR | train ms | decide ms (mean / p99) |`);
  print(`|---|---|---|---|---|---|---|---|`);
  for (const router of report.routers) {
    const timing = latency.get(router.name);
    print(`| ${router.name} | ${fixed(router.aiq, 4)} | ${percent(router.gapRecovered)} | ${fixed(router.qualityAtBestSingleCost, 3)} | ${percent(router.costFractionToMatchBestSingle)} | ${twoModel ? fixed(router.apgr, 3) : "–"} | ${router.trainMs === undefined ? "–" : Math.round(router.trainMs)} | ${timing ? `${timing.mean.toFixed(2)} / ${timing.p99.toFixed(2)}` : "–"} |`);
  }
  print(`| zero router | ${fixed(report.zeroRouter.aiq, 4)} | 0.0% | – | – | ${twoModel ? "0.500" : "–"} | – | – |`);
}
print("");
for (const note of notes) print(`- ${note}`);
print("");
print(`Total time ${((performance.now() - started) / 60000).toFixed(1)} min on this machine.`);
if (values.out) await writeFile(values.out, `${lines.join("\n")}\n`);
