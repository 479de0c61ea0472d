/**
 * Issue 13's "the prior plus feedback must never be worse": a warm-started bandit against its own prior
 * (offline-knn trained on the history) on stationary traffic, at equal spend, measured two ways per set and seed:
 * 1. **On the offline router's cost–reward curve** (no pacing): the bandits run unpaced at the knob 0.5;
 *    offline-knn runs at a grid of willingness-to-pay around the knob's (×0.6 … ×1.6), and its reward is read
 *    at the bandit's own realised cost by linear interpolation — "as good as the offline router would be
 *    at that money". Gain = bandit reward − that reward.
 * 2. **At exactly equal money** (`--pace-to-reference`): every online router paced to offline-knn's realised
 *    spend on the stream (BudgetPacer; the pacer's own wtp moves cost some reward, so this is harsher).
 * Bandits: `linucb+warm` and `thompson+warm` with `{"conservative": 0.25}` (variant `conservative`) and,
 * side by side, with `{"conservative": false}` (variant `off`, the default behaviour). Seeds 42–44 are held out: β was
 * chosen on seed 1000 (`benchmarks/online-learning-tuning.ts`). Bar: gain ≥ 0 on every set.
 *
 * Run: npx tsx benchmarks/online-learning-prior-safety.ts [--sets routerbench,dcrouter,routellm-mmlu] [--seeds 42,43,44]
 *      [--routers linucb+warm,thompson+warm] [--modes curve,paced] [--variants conservative,off] [--grid 0.9,1,1.1,1.25]
 */
import { parseArgs } from "node:util";
import { excludeContaminated } from "../src/data/split.js";
import { simulate, type SimulationLine } from "../src/simulation/index.js";
import { loadBenchmarkDataset } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "routerbench" },
    seeds: { type: "string", default: "42,43,44" },
    routers: { type: "string", default: "linucb+warm,thompson+warm" },
    modes: { type: "string", default: "curve,paced" },
    variants: { type: "string", default: "conservative,off" },
    grid: { type: "string", default: "0.6,0.8,0.9,1,1.1,1.25,1.6" },
  },
});
const VARIANTS: Record<string, Record<string, unknown>> = { conservative: { conservative: 0.25 }, off: { conservative: false } };
const modes = new Set(values.modes!.split(","));
const grid = values.grid!.split(",").map(Number);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Reward at `cost` on a curve of (cost, reward) points (sorted here; clamped at the ends, flagged). */
function rewardAtCost(curve: Array<{ cost: number; reward: number }>, cost: number): { reward: number; clamped: boolean } {
  const sorted = [...curve].sort((a, b) => a.cost - b.cost);
  if (cost <= sorted[0]!.cost) return { reward: sorted[0]!.reward, clamped: cost < sorted[0]!.cost };
  if (cost >= sorted.at(-1)!.cost) return { reward: sorted.at(-1)!.reward, clamped: cost > sorted.at(-1)!.cost };
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1]!;
    const b = sorted[i]!;
    if (cost <= b.cost) return { reward: a.reward + ((b.reward - a.reward) * (cost - a.cost)) / Math.max(1e-15, b.cost - a.cost), clamped: false };
  }
  return { reward: sorted.at(-1)!.reward, clamped: true };
}

async function linesOf(options: Parameters<typeof simulate>[0]): Promise<{ lines: Map<string, SimulationLine[]>; willingnessToPay: number }> {
  const lines = new Map<string, SimulationLine[]>();
  const result = await simulate({ ...options, onLine: (line) => (lines.get(line.router) ?? lines.set(line.router, []).get(line.router)!).push(line) });
  return { lines, willingnessToPay: result.willingnessToPay };
}
const rewardOf = (lines: readonly SimulationLine[]) => mean(lines.map((line) => line.reward));
const costOf = (lines: readonly SimulationLine[]) => mean(lines.map((line) => line.costUsd));

const curves = new Map<string, Array<{ cost: number; reward: number }>>();
const gains = new Map<string, number[]>();
const note = (key: string, value: number) => (gains.get(key) ?? gains.set(key, []).get(key)!).push(value);
console.log("| set | seed | mode | router | variant | reward | cost USD | offline-knn reward at that cost | gain (points) |");
console.log("|---|---|---|---|---|---|---|---|---|");
for (const set of values.sets!.split(",")) {
  const dataset = await loadBenchmarkDataset(set);
  const examples = excludeContaminated(dataset.examples);
  const models = [...dataset.models];
  for (const seed of values.seeds!.split(",").map(Number)) {
    const routers = values.routers!.split(",");
    for (const variant of values.variants!.split(",")) {
      const params = VARIANTS[variant];
      if (!params) throw new Error(`unknown variant ${variant} (conservative, off)`);
      if (modes.has("curve")) {
        const run = await linesOf({ examples, models, seed, routers, params });
        const offline = run.lines.get("offline-knn")!;
        // offline-knn's cost–reward curve on this stream, at wtp multiples of the knob's (the same history, embedder and order).
        const curve = [{ cost: costOf(offline), reward: rewardOf(offline) }];
        if (variant === values.variants!.split(",")[0]) {
          for (const factor of grid.filter((f) => f !== 1)) {
            const other = await linesOf({ examples, models, seed, routers: [], willingnessToPay: run.willingnessToPay * factor });
            curve.push({ cost: costOf(other.lines.get("offline-knn")!), reward: rewardOf(other.lines.get("offline-knn")!) });
          }
          curves.set(`${set}|${seed}`, curve);
        }
        const fullCurve = curves.get(`${set}|${seed}`) ?? curve;
        console.log(`| ${set} | ${seed} | curve | offline-knn | – | ${rewardOf(offline).toFixed(4)} | ${costOf(offline).toPrecision(4)} | (curve: ${fullCurve.map((p) => `${p.cost.toPrecision(3)}→${p.reward.toFixed(4)}`).join(", ")}) | – |`);
        for (const router of routers) {
          const own = run.lines.get(router)!;
          const at = rewardAtCost(fullCurve, costOf(own));
          const gain = (rewardOf(own) - at.reward) * 100;
          note(`curve|${set}|${router}|${variant}`, gain);
          console.log(`| ${set} | ${seed} | curve | ${router} | ${variant} | ${rewardOf(own).toFixed(4)} | ${costOf(own).toPrecision(4)} | ${at.reward.toFixed(4)}${at.clamped ? " (outside the curve: clamped)" : ""} | ${gain.toFixed(2)} |`);
        }
      }
      if (modes.has("paced")) {
        const run = await linesOf({ examples, models, seed, routers, params, paceToReference: true });
        const offline = run.lines.get("offline-knn")!;
        for (const router of routers) {
          const own = run.lines.get(router)!;
          const gain = (rewardOf(own) - rewardOf(offline)) * 100;
          note(`paced|${set}|${router}|${variant}`, gain);
          console.log(`| ${set} | ${seed} | paced to offline-knn's spend | ${router} | ${variant} | ${rewardOf(own).toFixed(4)} | ${costOf(own).toPrecision(4)} | ${rewardOf(offline).toFixed(4)} @ ${costOf(offline).toPrecision(4)} | ${gain.toFixed(2)} |`);
        }
      }
    }
  }
}
console.log("\n| mode | set | router | variant | gain per seed (points) | mean | bar gain ≥ 0 on every seed |");
console.log("|---|---|---|---|---|---|---|");
for (const [key, list] of gains) {
  const [mode, set, router, variant] = key.split("|");
  console.log(`| ${mode} | ${set} | ${router} | ${variant} | ${list.map((g) => g.toFixed(2)).join(", ")} | ${mean(list).toFixed(2)} | ${list.every((g) => g >= 0) ? "met" : "not met"} |`);
}
