/**
 * Why a drift can be missed within 300 steps (issue 13: "within 300 steps after the change the degraded
 * model's share of traffic falls by ≥ 80 %"): a bandit learns a model's change only from the requests it
 * still sends it. For each bandit this prints the degraded model's share before the change and at
 * +200…+300, how many of its answers the bandit saw in the first 200 and 300 steps after the change, the
 * size of the change in its rewards (δ: its mean reward on the answers served before the change minus after),
 * and what the change detector needs to see for that δ: ≈ (h + 1.17·σ)/(δ − k) observations (Siegmund's
 * approximation for Page's CUSUM, k = 0.125, h = 8, σ = the rewards' standard deviation after the change).
 * A run whose observations in the window fall short of that number cannot have reacted by detection; only
 * the discount (γ 0.999, slow) moves it.
 *
 * Run: npx tsx benchmarks/drift-observation-budget.ts [--sets dcrouter] [--seeds 42,43,44] [--routers linucb,thompson]
 */
import { parseArgs } from "node:util";
import { excludeContaminated } from "../src/data/split.js";
import { simulate, type SimulationLine } from "../src/simulation/index.js";
import { loadBenchmarkDataset } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "dcrouter" },
    seeds: { type: "string", default: "42,43,44" },
    routers: { type: "string", default: "linucb,thompson" },
  },
});
const DRIFT = 0.125;
const THRESHOLD = 8;
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const sd = (xs: readonly number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

console.log(`| set | seed | router | share before → +200…+300 (drop) | its answers seen in +0…+200 / +0…+300 | δ (its mean reward before → after) | observations the detector needs | enough by +200? |`);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const set of values.sets!.split(",")) {
  const dataset = await loadBenchmarkDataset(set);
  const examples = excludeContaminated(dataset.examples);
  for (const seed of values.seeds!.split(",").map(Number)) {
    const lines = new Map<string, SimulationLine[]>();
    const result = await simulate({
      examples,
      models: dataset.models,
      routers: values.routers!.split(","),
      seed,
      scenario: "drift",
      onLine: (line) => (lines.get(line.router) ?? lines.set(line.router, []).get(line.router)!).push(line),
    });
    const { model, fromStep } = result.scenario;
    for (const [router, own] of lines) {
      if (router.startsWith("offline-")) continue;
      const share = (from: number, to: number) => own.slice(from, to).filter((line) => line.model === model).length / (to - from);
      const before = share(fromStep - 300, fromStep);
      const after = share(fromStep + 200, fromStep + 300);
      const served = (from: number, to: number) => own.slice(from, to).filter((line) => line.model === model);
      const priorRewards = served(0, fromStep).map((line) => line.reward);
      const afterRewards = served(fromStep, fromStep + 300).map((line) => line.reward);
      const delta = mean(priorRewards) - mean(afterRewards);
      const needed = delta > DRIFT ? (THRESHOLD + 1.17 * sd(afterRewards)) / (delta - DRIFT) : Number.POSITIVE_INFINITY;
      const seen200 = served(fromStep, fromStep + 200).length;
      console.log(
        `| ${set} | ${seed} | ${router} | ${before.toFixed(3)} → ${after.toFixed(3)} (${before > 0 ? ((100 * (before - after)) / before).toFixed(0) : "–"} %) | ${seen200} / ${served(fromStep, fromStep + 300).length} | ${delta.toFixed(2)} (${mean(priorRewards).toFixed(2)} → ${mean(afterRewards).toFixed(2)}) | ${Number.isFinite(needed) ? needed.toFixed(0) : "∞"} | ${seen200 >= needed ? "yes" : "no"} |`,
      );
    }
  }
}
