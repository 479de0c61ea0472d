/**
 * A nonparametric cold start against the linear bandits' bound (issue 13, "cold start: over the last quarter
 * of the stream, ≥ 95 % of the offline router's mean reward at no more than its mean cost"). Is the dcrouter
 * shortfall the linear model class? This runs kNN-UCB (nonparametric contextual bandit: a model's quality at a
 * prompt is the mean reward of its k most similar earlier prompts *that it served*, shrunk to 0.5 by one
 * pseudo-observation, plus β/√(n + 1)) on the same stream, split and willingness-to-pay as `simulate`, with
 * bandit feedback only. Its last-quarter reward is read off its cost–reward curve (willingness-to-pay × 0.25 …
 * 5) at offline-knn's last-quarter cost — the same money, without a pacer. Not a product router: a bound check.
 *
 * Run: npx tsx benchmarks/online-knn-ucb-cold-start.ts [--sets dcrouter] [--seeds 1000,1001] [--k 10] [--beta 0.3]
 */
import { parseArgs } from "node:util";
import { willingnessToPayForKnob } from "../src/core/knob-calibration.js";
import { rankByObjective } from "../src/core/objective.js";
import { excludeContaminated } from "../src/data/split.js";
import { routeInputsOf } from "../src/embedders/route-inputs-of.js";
import { sparseEntriesOf } from "../src/math/sparse-rows.js";
import { loadBenchmarkDataset } from "./benchmark-sets.js";
import { rewardAtCost, streamSplit } from "./stream-split.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "dcrouter" },
    seeds: { type: "string", default: "1000,1001" },
    k: { type: "string", default: "10" },
    beta: { type: "string", default: "0.3" },
  },
});
const k = Number(values.k);
const beta = Number(values.beta);
/** Earlier prompts kept per step, most similar first (a model served 1 time in 10 still has ~30 among them). */
const CANDIDATES = 300;
const MULTIPLIERS = [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5];

for (const set of values.sets!.split(",")) {
  const dataset = await loadBenchmarkDataset(set);
  const examples = excludeContaminated(dataset.examples);
  const models = dataset.models;
  for (const seed of values.seeds!.split(",").map(Number)) {
    const { stream, prepared, reference } = await streamSplit(examples, models, seed);
    const baseWtp = willingnessToPayForKnob(reference.calibration, 0.5);
    const inputs = await routeInputsOf(prepared.embedder, stream.map((example) => example.prompt));
    const steps = stream.length;
    const lastQuarter = Math.floor(steps * 0.75);
    const predictedCost = inputs.map((input) => models.map((model) => prepared.costModel.predict(model, input.promptTokens)));
    /** The engine's objective (wtp × quality − cost): index of the top-ranked model. */
    const chosenIndex = (quality: ArrayLike<number>, costs: readonly number[], willingnessToPay: number) =>
      models.indexOf(rankByObjective(models.map((model, m) => ({ model, predictedQuality: quality[m]!, predictedCostUsd: costs[m]! })), willingnessToPay)[0]!.model);

    // Every step's most similar earlier steps (cosine: the embeddings are L2-normalised), via an inverted index.
    const postings: Array<Array<[number, number]>> = Array.from({ length: prepared.embedder.dimension }, () => []);
    const similar: Int32Array[] = [];
    const dots = new Float64Array(steps);
    for (let t = 0; t < steps; t++) {
      const entries = sparseEntriesOf(inputs[t]!.embedding, inputs[t]!.sparseEmbedding);
      dots.fill(0, 0, t);
      for (let i = 0; i < entries.indices.length; i++) for (const [s, w] of postings[entries.indices[i]!]!) dots[s]! += entries.values[i]! * w;
      similar.push(Int32Array.from(Array.from({ length: t }, (_, s) => s).sort((a, b) => dots[b]! - dots[a]!).slice(0, CANDIDATES)));
      for (let i = 0; i < entries.indices.length; i++) postings[entries.indices[i]!]!.push([t, entries.values[i]!]);
    }

    const run = (willingnessToPay: number) => {
      const served = new Int32Array(steps);
      const rewards = new Float64Array(steps);
      let reward = 0;
      let cost = 0;
      for (let t = 0; t < steps; t++) {
        const sums = new Float64Array(models.length);
        const counts = new Float64Array(models.length);
        for (const s of similar[t]!) {
          const m = served[s]!;
          if (counts[m]! >= k) continue;
          sums[m]! += rewards[s]!;
          counts[m]! += 1;
        }
        const optimistic = Float64Array.from(models, (_, m) => (sums[m]! + 0.5) / (counts[m]! + 1) + beta / Math.sqrt(counts[m]! + 1));
        const best = chosenIndex(optimistic, predictedCost[t]!, willingnessToPay);
        const outcome = stream[t]!.outcomes[models[best]!]!;
        served[t] = best;
        rewards[t] = outcome.score;
        if (t >= lastQuarter) [reward, cost] = [reward + outcome.score, cost + outcome.costUsd];
      }
      return { reward: reward / (steps - lastQuarter), cost: cost / (steps - lastQuarter) };
    };

    let offlineReward = 0;
    let offlineCost = 0;
    for (let t = lastQuarter; t < steps; t++) {
      const outcome = stream[t]!.outcomes[models[chosenIndex(reference.router.predictQuality(inputs[t]!), predictedCost[t]!, baseWtp)]!]!;
      offlineReward += outcome.score;
      offlineCost += outcome.costUsd;
    }
    const offline = { reward: offlineReward / (steps - lastQuarter), cost: offlineCost / (steps - lastQuarter) };
    const curve = MULTIPLIERS.map((multiplier) => run(baseWtp * multiplier)).sort((a, b) => a.cost - b.cost);
    const atCost = rewardAtCost(curve, offline.cost);
    console.log(
      `${set} seed ${seed}, kNN-UCB k ${k} β ${beta}: offline-knn last quarter ${offline.reward.toFixed(4)} @ ${offline.cost.toPrecision(4)} USD; kNN-UCB at that cost ${((100 * atCost) / offline.reward).toFixed(1)} % (curve ${curve.map((point) => `${point.cost.toPrecision(3)} → ${point.reward.toFixed(3)}`).join(", ")})`,
    );
  }
}
