/**
 * Why single runs of "the loop pays" (benchmarks/learning-loop.ts) vary by ±5 points, and how much the
 * reference itself varies (issue 14). The loop's labels are a pure function of (judge seed, prompt,
 * model): the scripted judge returns the dataset's true score flipped (s → 1 − s) when
 * sha256(`${judgeSeed}|${id}|${model}`) falls below the flip probability, the replay upstream bills the
 * dataset's token counts at the listed prices, and `labelDataset` writes rows in prompt order. This script
 * builds the same labelled rows in process (no HTTP; `--check` compares its figures with the ones
 * `learning-loop.ts` printed) so that many seeds take minutes instead of hours, then reports on the TEST
 * split (381 prompts; nothing here is tuned on it):
 *
 * 1. the judge-labelled router over `--judge-seeds` (the loop's spread, training seed fixed at --seed);
 * 2. the reference — knn on all true train labels — over `--train-seeds` (its own spread: the seed picks
 *    kNN's leave-one-out tuning sample and the knob calibration's 80/20 split);
 * 3. the same rows as the labelled router but with no verdict flipped (`flip 0`: order and seed as in the
 *    loop) — what the loop's procedure gives with perfect labels;
 * 3b. with `--subsample-seeds`: the reference trained on a seeded 90 % of the train prompts (true labels) —
 *    how far a perturbation of the training set that involves no wrong label moves the figure;
 * 4. the test split's own noise: a paired bootstrap over the 381 test prompts of (after − reference) for
 *    one run, i.e. how far the figure moves when only the test prompts are redrawn.
 * Each router's tuned kNN parameters (k, power, prior weight) are printed beside its figure.
 *
 * Run: npx tsx benchmarks/learning-loop-spread.ts [--judge-seeds 42,1,2,3,4] [--train-seeds 42,1,2,3,4]
 *      [--seed 42] [--flip 0.1] [--bootstrap 200]
 */
import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { createRandom, shuffled } from "../src/core/random.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import { evaluate } from "../src/eval/evaluate.js";
import type { RouterPredictions } from "../src/eval/evaluation-input.js";
import { createOracleRouter } from "../src/routers/baselines/index.js";
import { predictAll } from "../src/training/predict.js";
import { trainRouter } from "../src/training/train-router.js";
import { embedExamples, prepareTraining } from "../src/training/training-set.js";
import { loadBenchmarkSplits } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    "judge-seeds": { type: "string", default: "42,1,2,3,4" },
    "train-seeds": { type: "string", default: "42,1,2,3,4" },
    seed: { type: "string", default: "42" },
    flip: { type: "string", default: "0.1" },
    bootstrap: { type: "string", default: "200" },
    "subsample-seeds": { type: "string", default: "" },
    "skip-clean": { type: "boolean", default: false },
  },
});
const seeds = (text: string) => text.split(",").filter((s) => s !== "").map(Number);
const seed = Number(values.seed);
const flip = Number(values.flip);
const started = performance.now();
const { train, test, models } = await loadBenchmarkSplits("dcrouter", seed);
// The loop's start set and the prompts it labels (as benchmarks/learning-loop.ts draws them).
const order = shuffled(train, createRandom(seed));
const startCount = Math.round(train.length * 0.1);
const start = order.slice(0, startCount);
const rest = order.slice(startCount);

/** The rows `labelDataset` writes for `rest` with this judge (scores flipped per (seed, prompt, model)). */
function labelled(judgeSeed: number, flipProbability: number): RoutingExample[] {
  return rest.map((example) => ({
    id: example.id,
    prompt: example.prompt,
    ...(example.task === undefined ? {} : { task: example.task }),
    outcomes: Object.fromEntries(
      models.map((model) => {
        const outcome = example.outcomes[model]!;
        const draw = createHash("sha256").update(`${judgeSeed}|${example.id}|${model}`).digest().readUInt32BE(0) / 2 ** 32;
        return [model, { ...outcome, score: draw < flipProbability ? 1 - outcome.score : outcome.score }];
      }),
    ),
  }));
}

interface Trained {
  name: string;
  predictions: RouterPredictions;
  params: string;
}

let oracle: RouterPredictions | undefined;
async function trainAndPredict(name: string, examples: readonly RoutingExample[], trainSeed: number): Promise<Trained> {
  const prepared = await prepareTraining(examples, models);
  const trained = trainRouter(prepared, { router: "knn", seed: trainSeed });
  const testSet = await embedExamples(prepared.embedder, test, models);
  // The oracle's predictions are the test split's true scores; costs as the loop's (the cost model of
  // whichever router is trained first: it is fitted on prompt lengths, the same in every training set).
  oracle ??= { name: "oracle", followsObjective: true, ...predictAll(createOracleRouter(models, test), prepared.costModel, testSet) };
  const params = (trained.router as { params?: { k: number; power: number; priorWeight: number } }).params;
  return {
    name,
    predictions: { name, followsObjective: trained.router.followsObjective, ...predictAll(trained.router, prepared.costModel, testSet) },
    params: params === undefined ? "–" : `k ${params.k}, power ${params.power}, prior ${params.priorWeight}`,
  };
}

/** Gap recovered of each router on the test rows `rows` (all of them by default). */
function gapsOn(routers: readonly RouterPredictions[], rows?: readonly number[]): number[] {
  const pick = <T>(list: readonly T[]) => (rows === undefined ? [...list] : rows.map((i) => list[i]!));
  const report = evaluate({
    dataset: "dcrouter",
    trainSplit: "train",
    testSplit: "test",
    models,
    examples: pick(test),
    routers: [...routers, oracle!].map((router) => ({ ...router, quality: pick(router.quality), costUsd: pick(router.costUsd) })),
  });
  return routers.map((router) => report.routers.find((entry) => entry.name === router.name)?.gapRecovered ?? Number.NaN);
}

const points = (value: number) => (value * 100).toFixed(2);
const mean = (list: readonly number[]) => list.reduce((sum, value) => sum + value, 0) / list.length;
const sd = (list: readonly number[]) => Math.sqrt(list.reduce((sum, value) => sum + (value - mean(list)) ** 2, 0) / Math.max(1, list.length - 1));
const row = (trained: Trained, gap: number, extra = "") => console.log(`| ${trained.name} | ${points(gap)} % | ${trained.params} |${extra}`);

console.log(`## The loop's spread (dcrouter, test split: ${test.length} prompts; start ${start.length} true, ${rest.length} labelled; flip ${flip})`);
console.log("");
console.log("| router | gap recovered | tuned kNN parameters |");
console.log("|---|---|---|");
const startRouter = await trainAndPredict(`start: knn on 10 % (${start.length}), seed ${seed}`, start, seed);
row(startRouter, gapsOn([startRouter.predictions])[0]!);

const references: Trained[] = [];
for (const trainSeed of seeds(values["train-seeds"]!)) references.push(await trainAndPredict(`reference: all ${train.length} true labels, training seed ${trainSeed}`, train, trainSeed));
const referenceGaps = references.map((reference) => gapsOn([reference.predictions])[0]!);
references.forEach((reference, i) => row(reference, referenceGaps[i]!));

const subsampleGaps: number[] = [];
for (const subsampleSeed of seeds(values["subsample-seeds"]!)) {
  const kept = shuffled(train, createRandom(subsampleSeed * 31 + 7)).slice(0, Math.round(train.length * 0.9));
  const sub = await trainAndPredict(`reference on a seeded 90 % of the train prompts (${kept.length}, true labels), subsample seed ${subsampleSeed}`, kept, seed);
  subsampleGaps.push(gapsOn([sub.predictions])[0]!);
  row(sub, subsampleGaps.at(-1)!);
}
const clean = values["skip-clean"] ? undefined : await trainAndPredict(`loop's rows, no verdict flipped (flip 0), seed ${seed}`, [...start, ...labelled(0, 0)], seed);
const cleanGap = clean === undefined ? Number.NaN : gapsOn([clean.predictions])[0]!;
if (clean !== undefined) row(clean, cleanGap);

const afters: Trained[] = [];
for (const judgeSeed of seeds(values["judge-seeds"]!)) afters.push(await trainAndPredict(`after label: judge seed ${judgeSeed}, training seed ${seed}`, [...start, ...labelled(judgeSeed, flip)], seed));
const afterGaps = afters.map((after) => gapsOn([after.predictions])[0]!);
afters.forEach((after, i) => row(after, afterGaps[i]!));

const referenceAtSeed = references.find((reference) => reference.name.endsWith(`seed ${seed}`)) ?? references[0]!;
const referenceGap = referenceGaps[references.indexOf(referenceAtSeed)]!;
console.log("");
console.log("| group | n | mean gap recovered | sd (points) | min … max |");
console.log("|---|---|---|---|---|");
const group = (name: string, gaps: readonly number[]) =>
  console.log(`| ${name} | ${gaps.length} | ${points(mean(gaps))} % | ${(sd(gaps) * 100).toFixed(1)} | ${points(Math.min(...gaps))} … ${points(Math.max(...gaps))} |`);
group("reference, over training seeds", referenceGaps);
if (subsampleGaps.length > 0) group("reference on 90 % subsamples (true labels)", subsampleGaps);
if (afterGaps.length > 0) group(`after label, over judge seeds (training seed ${seed})`, afterGaps);
console.log("");
if (afterGaps.length > 0) console.log(`after − reference (reference at training seed ${seed}: ${points(referenceGap)} %): ${afterGaps.map((gap) => points(gap - referenceGap)).join(", ")} points; mean ${points(mean(afterGaps) - referenceGap)}; ` +
  `against the mean reference (${points(mean(referenceGaps))} %): mean ${points(mean(afterGaps) - mean(referenceGaps))}`);
if (clean !== undefined) console.log(`loop with perfect labels (flip 0) − reference: ${points(cleanGap - referenceGap)} points`);

// The test split's own noise: redraw the 381 test prompts with replacement, same routers (paired).
const draws = Number(values.bootstrap);
if (draws > 0 && afters.length > 0) {
  const random = createRandom(seed + 1);
  const differences: number[] = [];
  const referenceOnly: number[] = [];
  const between: number[] = [];
  const first = afters[0]!;
  const otherReference = references.find((reference) => reference !== referenceAtSeed);
  for (let draw = 0; draw < draws; draw++) {
    const rows = Array.from({ length: test.length }, () => Math.floor(random() * test.length));
    const [after, reference, other] = gapsOn([first.predictions, referenceAtSeed.predictions, ...(otherReference ? [otherReference.predictions] : [])], rows);
    differences.push(after! - reference!);
    referenceOnly.push(reference!);
    if (other !== undefined) between.push(other - reference!);
  }
  const interval = (list: number[]) => {
    const sorted = [...list].sort((a, b) => a - b);
    return `[${points(sorted[Math.floor(0.025 * (sorted.length - 1))]!)}, ${points(sorted[Math.ceil(0.975 * (sorted.length - 1))]!)}]`;
  };
  console.log("");
  console.log(`Paired bootstrap over the test prompts (${draws} redraws of ${test.length}):`);
  console.log(`- reference (training seed ${seed}) gap recovered: sd ${(sd(referenceOnly) * 100).toFixed(1)} points, 95 % ${interval(referenceOnly)}`);
  console.log(`- ${first.name} − reference: sd ${(sd(differences) * 100).toFixed(1)} points, 95 % ${interval(differences)}`);
  if (otherReference) console.log(`- ${otherReference.name.replace(/^reference: /, "reference ")} − reference at seed ${seed}: sd ${(sd(between) * 100).toFixed(1)} points, 95 % ${interval(between)}`);
}
console.log("");
console.log(`(${((performance.now() - started) / 1000).toFixed(0)} s)`);
