/**
 * The learned routers against kNN by K-fold cross-validation over a dataset's TRAIN split: a lower-noise
 * comparison than one small test split (dcrouter's test split has 381 prompts, where AIQ moves by ±0.01
 * between equally good routers). For each fold the embedder, the cost model and every router are fitted on
 * the other folds only; the held-out predictions of all folds are then evaluated together (RouterBench's
 * AIQ and the share of the zero-router → oracle gap recovered, the lead's `evaluate`).
 *
 * Run: npx tsx benchmarks/learned-routers-cv.ts [--dataset dcrouter] [--folds 4]
 *      [--routers linear,mlp,matrix-factorization,cluster,knn] [--params '{"cluster":{"clusters":20}}']
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createRandom } from "../src/core/random.js";
import { loadDataset } from "../src/data/load-dataset.js";
import { evaluate } from "../src/eval/evaluate.js";
import { routerTrainerFor } from "../src/routers/create-router-trainer.js";
import { kFoldIndices, complementOf } from "../src/training/cross-validation.js";
import { predictAll } from "../src/training/predict.js";
import { embedExamples, prepareTraining } from "../src/training/training-set.js";

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: "dcrouter" },
    folds: { type: "string", default: "4" },
    routers: { type: "string", default: "linear,mlp,matrix-factorization,cluster,knn" },
    params: { type: "string", default: "{}" },
    seed: { type: "string", default: "7" },
  },
});
const seed = Number(values.seed);
const routerNames = values.routers.split(",");
const allParams = JSON.parse(values.params) as Record<string, Record<string, unknown>>;
const dataset = await loadDataset(fileURLToPath(new URL(`../../shared/data/${values.dataset}/dataset.jsonl`, import.meta.url)));
const examples = dataset.examples.filter((example) => example.split === "train");
const models = dataset.models;
const n = examples.length;
const folds = kFoldIndices(n, Number(values.folds), createRandom(seed));
const quality = routerNames.map(() => new Array<Float64Array>(n));
const costUsd = routerNames.map(() => new Array<Float64Array>(n));
const cpuSeconds = routerNames.map(() => 0);
for (const heldOut of folds) {
  const prepared = await prepareTraining(complementOf(n, heldOut).map((i) => examples[i]!), models);
  const heldOutSet = await embedExamples(prepared.embedder, heldOut.map((i) => examples[i]!), models);
  routerNames.forEach((name, r) => {
    const started = process.cpuUsage();
    const router = routerTrainerFor(name).train(prepared.data, { seed, params: allParams[name] });
    const used = process.cpuUsage(started);
    cpuSeconds[r]! += (used.user + used.system) / 1e6;
    const predictions = predictAll(router, prepared.costModel, heldOutSet);
    heldOut.forEach((row, k) => {
      quality[r]![row] = predictions.quality[k]!;
      costUsd[r]![row] = predictions.costUsd[k]!;
    });
  });
}
const report = evaluate({
  dataset: values.dataset,
  trainSplit: `train (${values.folds}-fold CV)`,
  testSplit: "held-out folds",
  models: [...models],
  examples,
  routers: routerNames.map((name, r) => ({ name, followsObjective: true, quality: quality[r]!, costUsd: costUsd[r]! })),
});
console.log(`${values.dataset}: ${values.folds}-fold CV over the ${n} train prompts × ${models.length} models; zero router AIQ ${report.zeroRouter.aiq.toFixed(4)}, oracle AIQ ${report.oracle.aiq.toFixed(4)}\n`);
console.log("| router | AIQ | gap recovered | quality at best single's cost | train CPU s per fold |");
console.log("|---|---|---|---|---|");
report.routers.forEach((router, r) => {
  const atBest = router.qualityAtBestSingleCost === null ? "n/a" : router.qualityAtBestSingleCost.toFixed(4);
  console.log(`| ${router.name} | ${router.aiq.toFixed(4)} | ${router.gapRecovered === null ? "n/a" : router.gapRecovered.toFixed(3)} | ${atBest} | ${(cpuSeconds[r]! / folds.length).toFixed(1)} |`);
});
