/**
 * How much of the zero-router → oracle gap a router could recover if it KNEW something about each test
 * prompt that no router is told: its task, how hard it is, which kind of model gets it right. Each
 * "informed" router looks the test prompt's true key up in a table of per-model mean scores built on the
 * TRAIN split (so it still has to generalise from training prompts to test prompts, as a real router
 * does), then the usual evaluation (src/eval: RouterBench's AIQ and gap recovered, cost to match the
 * best single model) runs on the test split with the engine's predicted costs. These are not routers; they
 * bound what routers whose per-prompt knowledge is of that kind can reach.
 *
 * - `task`: the true task label.
 * - `task + difficulty`: and the prompt's mean score over all models, rounded to m + 1 levels (its exact
 *   1-d difficulty).
 * - `task + cheap/dear difficulty`: and, separately, the mean score of the cheaper half of the models and of
 *   the dearer half (by mean training cost), `--levels` levels each: a 2-d difficulty that says whether
 *   the cheap models get the prompt right — part of "which models fail".
 * A key missing from the training table backs off to the task's means.
 *
 * Then how predictable "which models fail" is from the prompt: a real router (`--router`, default knn, on
 * `--embedder`, default hashed-tfidf) is trained on the train split, and for every (task, model) with both
 * outcomes in the test split, the ROC AUC of its predicted quality for that model against the model's
 * true 0/1 outcome is computed over the task's test prompts (scores ≥ 0.5 count as right). 0.5 = no
 * within-task signal; the 2-d ceiling needs it near 1 for the cheap models.
 *
 * Run: npx tsx benchmarks/routing-ceilings.ts [--sets routerbench,dcrouter] [--levels 4] [--seed 42]
 *        [--router knn] [--embedder hashed-tfidf]
 */
import { parseArgs } from "node:util";
import { CostModel } from "../src/core/cost-model.js";
import { estimateTokens } from "../src/core/tokens.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import { evaluate } from "../src/eval/evaluate.js";
import type { RouterPredictions } from "../src/eval/evaluation-input.js";
import { createOracleRouter } from "../src/routers/baselines/index.js";
import { isSparseEmbedder } from "../src/embedders/sparse-vector.js";
import { predictAll } from "../src/training/predict.js";
import { trainRouter } from "../src/training/train-router.js";
import { prepareTraining } from "../src/training/training-set.js";
import { loadBenchmarkSplits } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "routerbench,dcrouter" },
    levels: { type: "string", default: "4" },
    seed: { type: "string", default: "42" },
    router: { type: "string", default: "knn" },
    embedder: { type: "string", default: "hashed-tfidf" },
  },
});
const levels = Number(values.levels);
const seed = Number(values.seed);

const percent = (value: number | null | undefined): string => (value === null || value === undefined ? "–" : `${(value * 100).toFixed(1)}%`);

function meanScore(example: RoutingExample, models: readonly string[]): number {
  return models.reduce((sum, model) => sum + example.outcomes[model]!.score, 0) / models.length;
}

/** Per-model mean scores of the training rows grouped by `key`; the test rows read their own key's row. */
function informed(train: readonly RoutingExample[], test: readonly RoutingExample[], models: readonly string[], key: (example: RoutingExample) => string): { quality: Float64Array[]; backedOff: number } {
  const table = new Map<string, { sums: Float64Array; count: number }>();
  const add = (k: string, example: RoutingExample): void => {
    let entry = table.get(k);
    if (!entry) table.set(k, (entry = { sums: new Float64Array(models.length), count: 0 }));
    models.forEach((model, j) => (entry.sums[j]! += example.outcomes[model]!.score));
    entry.count++;
  };
  for (const example of train) {
    const own = key(example);
    const task = `task:${example.task ?? ""}`;
    add(own, example);
    if (own !== task) add(task, example);
  }
  let backedOff = 0;
  const quality = test.map((example) => {
    let entry = table.get(key(example));
    if (!entry) {
      backedOff++;
      entry = table.get(`task:${example.task ?? ""}`);
    }
    return entry ? entry.sums.map((sum) => sum / entry.count) : new Float64Array(models.length).fill(0.5);
  });
  return { quality, backedOff };
}

/** ROC AUC of `scores` for the positives `right` (ties count half); NaN when one class is empty. */
function rocAuc(scores: readonly number[], right: readonly boolean[]): number {
  const order = scores.map((score, i) => ({ score, right: right[i]! })).sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && order[end]!.score === order[start]!.score) end++;
    const rank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) {
      if (!order[i]!.right) continue;
      positives++;
      rankSum += rank;
    }
    start = end;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

console.log(`# Routing ceilings (test splits; tables from the train splits)\n\nCommand: \`npx tsx benchmarks/routing-ceilings.ts --sets ${values.sets} --levels ${levels} --seed ${seed} --router ${values.router} --embedder ${values.embedder}\``);
for (const name of values.sets.split(",")) {
  const { train, test, models } = await loadBenchmarkSplits(name, seed);
  const costModel = CostModel.fit(train, train.map((example) => estimateTokens(example.prompt)), models);
  const costUsd = test.map((example) => Float64Array.from(models, (model) => costModel.predict(model, estimateTokens(example.prompt))));
  const meanCost = models.map((model) => train.reduce((sum, example) => sum + example.outcomes[model]!.costUsd, 0) / train.length);
  const byCost = models.map((model, j) => ({ model, cost: meanCost[j]! })).sort((a, b) => a.cost - b.cost);
  const cheap = byCost.slice(0, Math.floor(models.length / 2)).map((entry) => entry.model);
  const dear = byCost.slice(Math.floor(models.length / 2)).map((entry) => entry.model);
  const level = (value: number, count: number): number => Math.round(value * count);
  const variants: Array<[string, (example: RoutingExample) => string]> = [
    ["task (true label)", (example) => `task:${example.task ?? ""}`],
    [`task + difficulty (mean over all ${models.length} models, exact)`, (example) => `d1:${example.task ?? ""}|${level(meanScore(example, models), models.length)}`],
    [`task + cheap/dear difficulty (${levels} levels each)`, (example) => `d2:${example.task ?? ""}|${level(meanScore(example, cheap), levels)}|${level(meanScore(example, dear), levels)}`],
  ];
  const routers: RouterPredictions[] = [];
  const backedOff = new Map<string, number>();
  for (const [label, key] of variants) {
    const result = informed(train, test, models, key);
    backedOff.set(label, result.backedOff);
    routers.push({ name: label, followsObjective: true, quality: result.quality, costUsd });
  }
  routers.push({ name: "oracle", followsObjective: true, ...predictAll(createOracleRouter(models, test), costModel, { examples: test, embeddings: test.map(() => new Float32Array(1)), promptTokens: test.map((example) => estimateTokens(example.prompt)), models }) });
  const report = evaluate({ dataset: name, trainSplit: "train", testSplit: "test", models, examples: test, routers });
  console.log(`\n## ${name} (${train.length} train / ${test.length} test prompts, ${models.length} models; cheaper half: ${cheap.join(", ")})\n`);
  console.log("| informed router | gap recovered | cost to match best single | test keys not in the train table |");
  console.log("|---|---|---|---|");
  for (const router of report.routers) console.log(`| ${router.name} | ${percent(router.gapRecovered)} | ${percent(router.costFractionToMatchBestSingle)} | ${backedOff.get(router.name) ?? "–"} |`);

  const prepared = await prepareTraining(train, models, { kind: values.embedder });
  const trained = trainRouter(prepared, { router: values.router, seed });
  const prompts = test.map((example) => example.prompt);
  const embeddings = await prepared.embedder.embed(prompts);
  const sparse = isSparseEmbedder(prepared.embedder) ? prepared.embedder.embedSparse(prompts) : undefined;
  const predicted = test.map((example, i) => trained.router.predictQuality({ text: example.prompt, embedding: embeddings[i]!, sparseEmbedding: sparse?.[i], promptTokens: estimateTokens(example.prompt) }));
  const tasks = [...new Set(test.map((example) => example.task ?? ""))].sort();
  console.log(`\nWithin-task ROC AUC of ${values.router}'s predicted quality (on ${values.embedder}) for each model's success, test split ("–": one outcome only):\n`);
  console.log(`| task | test prompts | ${models.join(" | ")} | mean |`);
  console.log(`|---|---|${models.map(() => "---").join("|")}|---|`);
  for (const task of tasks) {
    const rows = test.flatMap((example, i) => ((example.task ?? "") === task ? [i] : []));
    const aucs = models.map((model, j) => rocAuc(rows.map((i) => predicted[i]![j]!), rows.map((i) => test[i]!.outcomes[model]!.score >= 0.5)));
    const finite = aucs.filter((auc) => Number.isFinite(auc));
    const mean = finite.reduce((sum, auc) => sum + auc, 0) / Math.max(1, finite.length);
    console.log(`| ${task} | ${rows.length} | ${aucs.map((auc) => (Number.isFinite(auc) ? auc.toFixed(2) : "–")).join(" | ")} | ${finite.length > 0 ? mean.toFixed(2) : "–"} |`);
  }
}
