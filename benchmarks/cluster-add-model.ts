/**
 * How much of a NEW model's value the cluster router (UniRoute) captures when the model is added from
 * a few anchor scores instead of retraining.
 *
 * For each model h of the dataset: train the cluster router on the train split WITHOUT h ("without"),
 * and WITH h from the start ("retrained"); then add h to "without" from its scores on N anchor prompts
 * drawn (seeded) from the TRAIN split ("added", N = 50, 100, 200, five draws each, AIQ averaged). All three route the
 * TEST split over all models (the "without" router can never pick h); each gets RouterBench's AIQ over the
 * single models' cost range (the lead's `evaluate`). Captured share:
 *
 *   captured(N) = (AIQ_added − AIQ_without) / (AIQ_retrained − AIQ_without)
 *
 * 1 = adding from anchors is as good as retraining with the model; 0 = the model brought nothing. The
 * ratio is meaningless where retraining gains almost nothing (< 0.002 AIQ): those rows say n/a and only
 * enter the pooled line, Σ(added − without) / Σ(retrained − without) over all models. Costs come from the
 * engine's default cost model fitted on the train split for every model (a new model's price is known).
 *
 * `--prior` chooses what per-cluster estimates are shrunk toward (`addModel`'s `prior`): the existing
 * models' cluster difficulty plus the new model's offset (default), or its flat anchor mean.
 *
 * Run: npx tsx benchmarks/cluster-add-model.ts [--dataset dcrouter] [--prior cluster-difficulty|anchor-mean]
 *      [--seed 7] [--params '{"clusters":20}']
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createRandom } from "../src/core/random.js";
import { loadDataset } from "../src/data/load-dataset.js";
import { evaluate } from "../src/eval/evaluate.js";
import type { RouterPredictions } from "../src/eval/evaluation-input.js";
import { addModel, ClusterRouter, clusterRouterTrainer } from "../src/routers/cluster/index.js";
import type { Router } from "../src/routers/router.js";
import { shuffledIndices } from "../src/math/seeded-init.js";
import { routeInputOf } from "../src/training/predict.js";
import { embedExamples, prepareTraining } from "../src/training/training-set.js";

const ANCHOR_COUNTS = [50, 100, 200];
const DRAWS = 5;
/** A cost no objective can afford: how the "without" router is kept off the held-out model. */
const UNAFFORDABLE_USD = 1e9;

const { values } = parseArgs({
  options: {
    dataset: { type: "string", default: "dcrouter" },
    seed: { type: "string", default: "7" },
    params: { type: "string", default: "{}" },
    prior: { type: "string", default: "cluster-difficulty" },
  },
});
const seed = Number(values.seed);
const params = JSON.parse(values.params) as Record<string, unknown>;
const prior = values.prior === "anchor-mean" ? "anchor-mean" : "cluster-difficulty";
const dataset = await loadDataset(fileURLToPath(new URL(`../../shared/data/${values.dataset}/dataset.jsonl`, import.meta.url)));
const train = dataset.examples.filter((example) => example.split === "train");
const test = dataset.examples.filter((example) => example.split === "test");
const models = dataset.models;
const prepared = await prepareTraining(train, models);
const testSet = await embedExamples(prepared.embedder, test, models);
const testCosts = testSet.promptTokens.map((tokens) => Float64Array.from(models, (model) => prepared.costModel.predict(model, tokens)));

/** Predictions over ALL models; a model the router does not know gets quality 0 at an unaffordable cost. */
function predictionsOf(name: string, router: Router): RouterPredictions {
  const position = models.map((model) => router.models.indexOf(model));
  const quality: Float64Array[] = [];
  const costUsd: Float64Array[] = [];
  for (let i = 0; i < test.length; i++) {
    const predicted = router.predictQuality(routeInputOf(testSet, i));
    quality.push(Float64Array.from(position, (p) => (p >= 0 ? predicted[p]! : 0)));
    costUsd.push(Float64Array.from(position, (p, j) => (p >= 0 ? testCosts[i]![j]! : UNAFFORDABLE_USD)));
  }
  return { name, followsObjective: true, quality, costUsd };
}

const full = clusterRouterTrainer.train(prepared.data, { seed, params });
console.log(`cluster router, ${values.dataset}: ${train.length} train / ${test.length} test prompts × ${models.length} models; params ${JSON.stringify(params)}; prior ${prior}; ${DRAWS} anchor draws per N\n`);
const header = ["held-out model", "AIQ without", "AIQ retrained", ...ANCHOR_COUNTS.map((n) => `AIQ added N=${n}`), ...ANCHOR_COUNTS.map((n) => `captured N=${n}`)];
console.log(`| ${header.join(" | ")} |`);
console.log(`|${header.map(() => "---").join("|")}|`);
const pooled = { retrainedGain: 0, addedGain: ANCHOR_COUNTS.map(() => 0) };
const ratios: number[][] = ANCHOR_COUNTS.map(() => []);
for (const heldOut of models) {
  const without = clusterRouterTrainer.train({ ...prepared.data, models: models.filter((model) => model !== heldOut) }, { seed, params }) as ClusterRouter;
  const routers: RouterPredictions[] = [predictionsOf("without", without), predictionsOf("retrained", full)];
  ANCHOR_COUNTS.forEach((count) => {
    for (let draw = 0; draw < DRAWS; draw++) {
      const order = shuffledIndices(train.length, createRandom(seed * 1000 + count * 10 + draw));
      const anchors = Array.from(order.subarray(0, count), (i) => ({
        embedding: prepared.data.embeddings[i]!,
        sparseEmbedding: prepared.data.sparseEmbeddings?.[i],
        score: train[i]!.outcomes[heldOut]!.score,
      }));
      routers.push(predictionsOf(`added-${count}-${draw}`, addModel(without, { model: heldOut, anchors, prior })));
    }
  });
  const report = evaluate({ dataset: values.dataset, trainSplit: "train", testSplit: "test", models: [...models], examples: test, routers });
  const aiq = new Map(report.routers.map((router) => [router.name, router.aiq]));
  const aiqWithout = aiq.get("without")!;
  const aiqRetrained = aiq.get("retrained")!;
  const gain = aiqRetrained - aiqWithout;
  pooled.retrainedGain += gain;
  const addedMeans = ANCHOR_COUNTS.map((count, c) => {
    let sum = 0;
    for (let draw = 0; draw < DRAWS; draw++) sum += aiq.get(`added-${count}-${draw}`)!;
    const mean = sum / DRAWS;
    pooled.addedGain[c]! += mean - aiqWithout;
    if (gain >= 0.002) ratios[c]!.push((mean - aiqWithout) / gain);
    return mean;
  });
  const captured = addedMeans.map((mean) => (gain >= 0.002 ? ((mean - aiqWithout) / gain).toFixed(2) : "n/a"));
  console.log(`| ${heldOut} | ${aiqWithout.toFixed(4)} | ${aiqRetrained.toFixed(4)} | ${addedMeans.map((mean) => mean.toFixed(4)).join(" | ")} | ${captured.join(" | ")} |`);
}
const mean = (list: number[]): string => (list.length === 0 ? "n/a" : (list.reduce((sum, value) => sum + value, 0) / list.length).toFixed(2));
console.log(`\nmean captured share over models whose retraining gain is ≥ 0.002 AIQ: ${ANCHOR_COUNTS.map((count, c) => `N=${count}: ${mean(ratios[c]!)} (${ratios[c]!.length} models)`).join(", ")}`);
console.log(`pooled Σ(added − without) / Σ(retrained − without): ${ANCHOR_COUNTS.map((count, c) => `N=${count}: ${(pooled.addedGain[c]! / pooled.retrainedGain).toFixed(2)}`).join(", ")}`);
