/**
 * How much can learning from the stream improve on the offline router at equal cost at all? (issue 13's
 * "warm start ≥ +1 point at equal or lower cost" bar.) The same split as `simulate` (seeded 30 % history,
 * the rest streamed in a seeded order). Two kNN routers route the stream at the same willingness-to-pay
 * grid (knobs through the history router's calibration):
 * - offline: trained on the history alone (simulate's `offline-knn` at knob 0.5);
 * - full information, progressive: before each window of 250 steps it is retrained on the history plus
 *   every earlier streamed prompt with *every* model's score — 11× (routerbench) what bandit feedback
 *   reveals, so an optimistic bound on what a kNN-based learner can gain from the stream.
 * Prints reward and cost of both at each knob, and the full-information router's reward gain at the
 * offline router's knob-0.5 cost (linear interpolation along its cost–reward curve). `--router` swaps the
 * full-information router's class (`linear`, `mlp`, …; trained on the history alone for the first window),
 * a bound for other model classes against the same offline-knn.
 *
 * Run: npx tsx benchmarks/online-learning-ceiling.ts [--set routerbench] [--seeds 42,43,44] [--knobs 0.3,0.4,0.5,0.6,0.7] [--router knn] [--window 250]
 */
import { parseArgs } from "node:util";
import { willingnessToPayForKnob } from "../src/core/knob-calibration.js";
import { rankByObjective } from "../src/core/objective.js";
import { estimateTokens } from "../src/core/tokens.js";
import { excludeContaminated } from "../src/data/split.js";
import { isSparseEmbedder } from "../src/embedders/sparse-vector.js";
import { routerTrainerFor } from "../src/routers/create-router-trainer.js";
import type { Router } from "../src/routers/router.js";
import { loadBenchmarkDataset } from "./benchmark-sets.js";
import { rewardAtCost, streamSplit } from "./stream-split.js";

const { values } = parseArgs({ options: { set: { type: "string", default: "routerbench" }, seeds: { type: "string", default: "42,43,44" }, knobs: { type: "string", default: "0.3,0.4,0.5,0.6,0.7" }, window: { type: "string", default: "250" }, router: { type: "string", default: "knn" } } });
const knobs = values.knobs!.split(",").map(Number);
const windowSize = Number(values.window);
const dataset = await loadBenchmarkDataset(values.set!);
const examples = excludeContaminated(dataset.examples);
const models = dataset.models;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

const fullKind = values.router!;
console.log(`${values.set}: ${examples.length} prompts × ${models.length} models, history 0.3, windows of ${windowSize}`);
console.log(`| seed | knob | offline-knn reward | offline-knn cost USD | full-information ${fullKind} reward | full-information ${fullKind} cost USD |`);
console.log("|---|---|---|---|---|---|");
const gains: number[] = [];
for (const seed of values.seeds!.split(",").map(Number)) {
  const { history, stream, prepared, reference } = await streamSplit(examples, models, seed);
  const prompts = stream.map((example) => example.prompt);
  const embeddings = await prepared.embedder.embed(prompts);
  const sparse = isSparseEmbedder(prepared.embedder) ? prepared.embedder.embedSparse(prompts) : undefined;
  const tokens = prompts.map(estimateTokens);
  const predictedCost = tokens.map((t) => Float64Array.from(models, (model) => prepared.costModel.predict(model, t)));
  const wtps = knobs.map((knob) => willingnessToPayForKnob(reference.calibration, knob));
  // Quality predictions per step, for both routers (the full-information one retrained per window).
  const offlineQuality: Float64Array[] = [];
  const fullQuality: Float64Array[] = [];
  const trainer = routerTrainerFor(fullKind);
  for (let from = 0; from < stream.length; from += windowSize) {
    const to = Math.min(stream.length, from + windowSize);
    const full: Router =
      from === 0 && fullKind === "knn"
        ? reference.router
        : trainer.train(
            {
              examples: [...history, ...stream.slice(0, from)],
              embeddings: [...prepared.data.embeddings, ...embeddings.slice(0, from)],
              sparseEmbeddings: sparse ? [...prepared.data.sparseEmbeddings!, ...sparse.slice(0, from)] : undefined,
              promptTokens: [...prepared.data.promptTokens, ...tokens.slice(0, from)],
              predictedCostUsd: [...prepared.data.predictedCostUsd!, ...predictedCost.slice(0, from)],
              models,
            },
            { seed },
          );
    for (let t = from; t < to; t++) {
      const input = { text: prompts[t]!, embedding: embeddings[t]!, sparseEmbedding: sparse?.[t], promptTokens: tokens[t]! };
      offlineQuality.push(reference.router.predictQuality(input));
      fullQuality.push(full.predictQuality(input));
    }
  }
  const route = (quality: Float64Array[], wtp: number) => {
    const rewards: number[] = [];
    const costs: number[] = [];
    quality.forEach((q, t) => {
      const model = rankByObjective(models.map((m, j) => ({ model: m, predictedQuality: q[j]!, predictedCostUsd: predictedCost[t]![j]! })), wtp)[0]!.model;
      rewards.push(stream[t]!.outcomes[model]!.score);
      costs.push(stream[t]!.outcomes[model]!.costUsd);
    });
    return { reward: mean(rewards), cost: mean(costs) };
  };
  const offlineCurve: Array<{ cost: number; reward: number }> = [];
  const fullCurve: Array<{ cost: number; reward: number }> = [];
  knobs.forEach((knob, k) => {
    const offline = route(offlineQuality, wtps[k]!);
    const full = route(fullQuality, wtps[k]!);
    offlineCurve.push(offline);
    fullCurve.push(full);
    console.log(`| ${seed} | ${knob} | ${offline.reward.toFixed(4)} | ${offline.cost.toPrecision(4)} | ${full.reward.toFixed(4)} | ${full.cost.toPrecision(4)} |`);
  });
  const at = offlineCurve[knobs.indexOf(0.5)] ?? offlineCurve[Math.floor(knobs.length / 2)]!;
  const gain = rewardAtCost(fullCurve, at.cost) - at.reward;
  gains.push(gain);
  console.log(`| ${seed} | at offline-knn's knob-0.5 cost ${at.cost.toPrecision(4)} | ${at.reward.toFixed(4)} | | ${rewardAtCost(fullCurve, at.cost).toFixed(4)} (gain ${(gain * 100).toFixed(2)} points) | |`);
}
console.log(`\nFull-information ${fullKind}'s gain over offline-knn at equal cost: ${gains.map((g) => (g * 100).toFixed(2)).join(", ")} points (mean ${(mean(gains) * 100).toFixed(2)}).`);
