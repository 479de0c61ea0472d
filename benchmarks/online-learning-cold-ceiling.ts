/**
 * The cold start's ceiling (issue 13: "cold start: over the last quarter of the stream, ≥ 95 % of the offline
 * router's mean reward at no more than its mean cost"): the same cold bandits, same features, same stream,
 * same money (paced to offline-knn's realised spend), once with bandit feedback (the figure) and once with
 * **full information** — after every step the bandit also learns every other model's score on that prompt
 * (`simulate({ fullInformation: true })`), the labels exploration tries to buy — and once more with full
 * information and nothing forgotten (discount 1, change detection off: what a stationary stream allows).
 * The defaults' forgetting is part of the second run: the discount keeps ~1,000 steps, and a false alarm
 * of the change detector on the served model restarts its arm, dropping the extra labels too. So the
 * third run bounds the model class (a linear residual per target over the prompt sketch, learned from
 * this stream alone): if it is below the bar too, the shortfall is the model class, not the exploration.
 *
 * Run: npx tsx benchmarks/online-learning-cold-ceiling.ts [--sets dcrouter] [--seeds 42,43,44] [--routers linucb+cold,thompson+cold]
 */
import { parseArgs } from "node:util";
import { excludeContaminated } from "../src/data/split.js";
import { simulate, type SimulationLine } from "../src/simulation/index.js";
import { loadBenchmarkDataset } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "dcrouter" },
    seeds: { type: "string", default: "42,43,44" },
    routers: { type: "string", default: "linucb+cold,thompson+cold" },
    params: { type: "string" },
  },
});
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const lastQuarter = (lines: readonly SimulationLine[], field: "reward" | "costUsd") => mean(lines.slice(Math.floor((lines.length * 3) / 4)).map((line) => line[field]));

console.log(`| set | seed | router | feedback | last-quarter reward | % of offline-knn's | last-quarter cost | % of offline-knn's |`);
console.log(`|---|---|---|---|---|---|---|---|`);
const ratios = new Map<string, number[]>();
for (const set of values.sets!.split(",")) {
  const dataset = await loadBenchmarkDataset(set);
  const examples = excludeContaminated(dataset.examples);
  for (const seed of values.seeds!.split(",").map(Number)) {
    const base = values.params ? (JSON.parse(values.params) as Record<string, unknown>) : {};
    const runs = [
      { label: "bandit", fullInformation: false, params: base },
      { label: "full information", fullInformation: true, params: base },
      { label: "full information, nothing forgotten", fullInformation: true, params: { ...base, discount: 1, changeDetection: false } },
    ];
    for (const { label, fullInformation, params } of runs) {
      const lines = new Map<string, SimulationLine[]>();
      await simulate({
        examples,
        models: dataset.models,
        routers: values.routers!.split(","),
        seed,
        params,
        paceToReference: true,
        fullInformation,
        onLine: (line) => (lines.get(line.router) ?? lines.set(line.router, []).get(line.router)!).push(line),
      });
      const offline = lines.get("offline-knn")!;
      for (const [router, own] of lines) {
        if (router === "offline-knn") continue;
        const rewardShare = lastQuarter(own, "reward") / lastQuarter(offline, "reward");
        const costShare = lastQuarter(own, "costUsd") / lastQuarter(offline, "costUsd");
        const key = `${set} ${router} ${label === "bandit" ? "bandit feedback" : label}`;
        (ratios.get(key) ?? ratios.set(key, []).get(key)!).push(rewardShare);
        console.log(
          `| ${set} | ${seed} | ${router} | ${label} | ${lastQuarter(own, "reward").toFixed(4)} | ${(rewardShare * 100).toFixed(1)} % | ${lastQuarter(own, "costUsd").toPrecision(4)} | ${(costShare * 100).toFixed(0)} % |`,
        );
      }
    }
  }
}
console.log("");
for (const [key, xs] of ratios) console.log(`${key}: last quarter ${xs.map((x) => (x * 100).toFixed(1)).join(" / ")} % of offline-knn's (mean ${(mean(xs) * 100).toFixed(1)} %)`);
