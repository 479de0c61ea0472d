/**
 * Learned routers (linear / mlp / matrix-factorization / cluster) against kNN on the shared datasets:
 * each is trained on the train split and predicts the test split; the table gives mean TEST quality and
 * cost at a few willingness-to-pay values, RouterBench's AIQ and the share of the zero-router → oracle
 * gap recovered (the lead's `evaluate`), training time, and prediction time per query (router only,
 * embedding excluded). Training time is wall and CPU seconds of this (single-threaded) process: on a
 * shared machine the CPU figure is the one to compare.
 *
 * Run: npx tsx benchmarks/learned-routers.ts [--datasets dcrouter,routerbench] [--routers linear,mlp,…]
 *      [--params '{"mlp":{"hiddenSize":512}}'] [--seed 7]
 * Willingness-to-pay is given as a multiple of the test mean cost of the costliest model (wtp = x · cMax:
 * paying cMax is worth a quality gain of 1/x); "max" picks the highest predicted quality.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadDataset } from "../src/data/load-dataset.js";
import { evaluate } from "../src/eval/evaluate.js";
import type { RouterPredictions } from "../src/eval/evaluation-input.js";
import { outcomeMatrix, meanOutcomeOf } from "../src/eval/outcome-matrix.js";
import { pickByObjective } from "../src/eval/sweep.js";
import { clusterRouterTrainer } from "../src/routers/cluster/index.js";
import { knnRouterTrainer } from "../src/routers/knn/index.js";
import { linearRouterTrainer } from "../src/routers/linear/index.js";
import { matrixFactorizationRouterTrainer } from "../src/routers/matrix-factorization/index.js";
import { mlpRouterTrainer } from "../src/routers/mlp/index.js";
import type { RouterTrainer } from "../src/routers/router-trainer.js";
import { predictAll, routeInputOf } from "../src/training/predict.js";
import { embedExamples, prepareTraining } from "../src/training/training-set.js";

const trainers: Record<string, RouterTrainer> = {
  linear: linearRouterTrainer,
  mlp: mlpRouterTrainer,
  "matrix-factorization": matrixFactorizationRouterTrainer,
  cluster: clusterRouterTrainer,
  knn: knnRouterTrainer,
};
const WTP_MULTIPLES = [1, 10, 100];

const { values } = parseArgs({
  options: {
    datasets: { type: "string", default: "dcrouter,routerbench" },
    routers: { type: "string", default: Object.keys(trainers).join(",") },
    params: { type: "string", default: "{}" },
    seed: { type: "string", default: "7" },
  },
});
const allParams = JSON.parse(values.params) as Record<string, Record<string, unknown>>;
const seed = Number(values.seed);

for (const name of values.datasets.split(",")) {
  const dataset = await loadDataset(fileURLToPath(new URL(`../../shared/data/${name}/dataset.jsonl`, import.meta.url)));
  const train = dataset.examples.filter((example) => example.split === "train");
  const test = dataset.examples.filter((example) => example.split === "test");
  const models = dataset.models;
  const prepared = await prepareTraining(train, models);
  const testSet = await embedExamples(prepared.embedder, test, models);
  const truth = outcomeMatrix(test, models);
  const cMax = Math.max(...models.map((_, j) => meanOutcomeOf(new Int32Array(test.length).fill(j), truth).meanCostUsd));
  console.log(`\n## ${name}: ${train.length} train / ${test.length} test prompts × ${models.length} models (cMax = $${cMax.toExponential(2)} per prompt)\n`);
  const header = ["router", ...WTP_MULTIPLES.map((x) => `q@wtp=${x}·cMax`), "q@max", "AIQ", "gap recovered", "train s (wall / CPU)", "predict ms/query"];
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  const routers: RouterPredictions[] = [];
  const rows: string[][] = [];
  for (const routerName of values.routers.split(",")) {
    const trainer = trainers[routerName];
    if (!trainer) throw new Error(`unknown router ${routerName}`);
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    const router = trainer.train(prepared.data, { seed, params: allParams[routerName] });
    const trainSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    const trainCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const predictions = predictAll(router, prepared.costModel, testSet);
    const timingStarted = performance.now();
    for (let i = 0; i < test.length; i++) router.predictQuality(routeInputOf(testSet, i));
    const predictMs = (performance.now() - timingStarted) / test.length;
    routers.push({ name: routerName, followsObjective: true, ...predictions });
    const qualityAt = (wtp: number): string => {
      const choices = Int32Array.from(predictions.quality, (quality, i) => pickByObjective(quality, predictions.costUsd[i]!, models, wtp));
      const outcome = meanOutcomeOf(choices, truth);
      return `${outcome.meanQuality.toFixed(3)} ($${outcome.meanCostUsd.toExponential(1)})`;
    };
    rows.push([routerName, ...WTP_MULTIPLES.map((x) => qualityAt(x * cMax)), qualityAt(1e9), "", "", `${trainSeconds.toFixed(1)} / ${trainCpuSeconds.toFixed(1)}`, predictMs.toFixed(3)]);
  }
  const report = evaluate({ dataset: name, trainSplit: "train", testSplit: "test", models: [...models], examples: test, routers });
  report.routers.forEach((routerReport, index) => {
    const row = rows[index]!;
    row[WTP_MULTIPLES.length + 2] = routerReport.aiq.toFixed(4);
    row[WTP_MULTIPLES.length + 3] = routerReport.gapRecovered === null ? "n/a" : routerReport.gapRecovered.toFixed(3);
    console.log(`| ${row.join(" | ")} |`);
  });
  console.log(`\nzero router AIQ ${report.zeroRouter.aiq.toFixed(4)}, oracle AIQ ${report.oracle.aiq.toFixed(4)}, best single ${report.bestSingle.model} ${report.bestSingle.meanQuality.toFixed(3)} @ $${report.bestSingle.meanCostUsd.toExponential(2)}`);
}
