/**
 * Issue 13's MMLU loss, taken apart (BENCHMARKS.md "Online learning: MMLU diagnosis"): one `simulate` run of
 * offline-knn and a warm-started bandit on one set and seed, instrumented (by wrapping the bandit's choice
 * and the pacer's willingness-to-pay, not by changing them) to show per window of steps:
 * - each router's share of the dearest model and its reward/cost;
 * - the pacer's multiplier on the willingness-to-pay;
 * - how often the gate's baseline (the prior's choice under the bandit's wtp and learned costs) differs from
 *   offline-knn's own choice on the same prompt, and why: the wtp (pacer) or the learned cost ratios;
 * - how often the bandit played something other than its baseline (the gate let the policy through);
 * - the learned real/predicted cost ratio of each model.
 * Step 0 check: before any feedback the bandit's means must equal the prior's predictions and its choice
 * offline-knn's.
 *
 * Run: npx tsx benchmarks/online-learning-mmlu-diagnosis.ts [--set routellm-mmlu] [--seed 42] [--router linucb+warm]
 *      [--params '{"conservative":0.25}'] [--paced true] [--window 1000]
 */
import { parseArgs } from "node:util";
import type { CandidatePrediction } from "../src/core/objective.js";
import type { Random } from "../src/core/random.js";
import { excludeContaminated } from "../src/data/split.js";
import { BudgetPacer } from "../src/limits/budget-pacer.js";
import { BanditRouter } from "../src/routers/bandit/index.js";
import type { RouteInput } from "../src/routers/router.js";
import { simulate, type SimulationLine } from "../src/simulation/index.js";
import { loadBenchmarkDataset } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    set: { type: "string", default: "routellm-mmlu" },
    seed: { type: "string", default: "42" },
    router: { type: "string", default: "linucb+warm" },
    params: { type: "string", default: '{"conservative":0.25}' },
    paced: { type: "string", default: "true" },
    window: { type: "string", default: "1000" },
  },
});
const windowSize = Number(values.window);

interface Probe {
  wtp: number;
  chosen: string;
  /** argmax wtp·q₀ − predicted cost × learned ratio: the gate's baseline. */
  baseline: string;
  /** argmax wtp·q₀ − predicted cost: the prior's choice at this wtp without learned ratios. */
  baselineRawCost: string;
  ratios: Record<string, number>;
  /** max |bandit mean − q₀| over candidates (0 before feedback). */
  meanShift: number;
  /** The bandit's unclamped posterior mean q₀ + xᵀθ of each candidate (what the policy and the gate score). */
  rawMean: Record<string, number>;
  width: Record<string, number>;
}
const probes: Probe[] = [];
const multipliers: number[] = [];
let knobWtp = Number.NaN;

type Internals = {
  prior: { predict(input: RouteInput, names: readonly string[]): Float64Array };
  costRatios: { ratioOf(model: string): number };
  predictQuality(input: RouteInput): Float64Array;
  models: readonly string[];
  featuresOf(input: RouteInput): unknown;
  arms: Map<string, { mean(x: unknown): number; variance(x: unknown): number }>;
};
const argmax = (names: readonly string[], quality: ArrayLike<number>, cost: ArrayLike<number>, wtp: number) => {
  let best = 0;
  for (let i = 1; i < names.length; i++) {
    const a = wtp * quality[i]! - cost[i]!;
    const b = wtp * quality[best]! - cost[best]!;
    if (a > b || (a === b && (cost[i]! < cost[best]! || (cost[i] === cost[best] && names[i]! < names[best]!)))) best = i;
  }
  return names[best]!;
};
const originalChoose = BanditRouter.prototype.choose;
BanditRouter.prototype.choose = function (this: BanditRouter, input: RouteInput, candidates: readonly CandidatePrediction[], wtp: number, random: Random) {
  const self = this as unknown as Internals;
  const names = candidates.map((c) => c.model);
  const q0 = self.prior.predict(input, names);
  const ratios = Object.fromEntries(names.map((n) => [n, self.costRatios.ratioOf(n)]));
  const learnedCost = candidates.map((c) => c.predictedCostUsd * ratios[c.model]!);
  const rawCost = candidates.map((c) => c.predictedCostUsd);
  const all = self.predictQuality(input);
  const meanShift = Math.max(...names.map((n, i) => Math.abs(all[self.models.indexOf(n)]! - q0[i]!)));
  const x = self.featuresOf(input);
  const rawMean = Object.fromEntries(names.map((n, i) => [n, q0[i]! + self.arms.get(n)!.mean(x)]));
  const width = Object.fromEntries(names.map((n) => [n, Math.sqrt(self.arms.get(n)!.variance(x))]));
  const choice = originalChoose.call(this, input, candidates, wtp, random);
  // Indexed by step: with a pacer, a step whose budget is spent never reaches choose (the pacer is asked every step).
  probes[multipliers.length > 0 ? multipliers.length - 1 : probes.length] = { wtp, chosen: choice.model, baseline: argmax(names, q0, learnedCost, wtp), baselineRawCost: argmax(names, q0, rawCost, wtp), ratios, meanShift, rawMean, width };
  return choice;
};
const originalWtp = BudgetPacer.prototype.willingnessToPay;
BudgetPacer.prototype.willingnessToPay = function (this: BudgetPacer, base: number, now: number) {
  knobWtp = base;
  multipliers.push(this.multiplier(now));
  return originalWtp.call(this, base, now);
};

const dataset = await loadBenchmarkDataset(values.set!);
const examples = excludeContaminated(dataset.examples);
const models = [...dataset.models];
const lines = new Map<string, SimulationLine[]>();
const result = await simulate({
  examples,
  models,
  seed: Number(values.seed),
  routers: [values.router!],
  params: JSON.parse(values.params!) as Record<string, unknown>,
  paceToReference: values.paced === "true",
  onLine: (line) => (lines.get(line.router) ?? lines.set(line.router, []).get(line.router)!).push(line),
});
if (!Number.isFinite(knobWtp)) knobWtp = result.willingnessToPay;
const offline = lines.get("offline-knn")!;
const bandit = lines.get(values.router!)!;
// The dearest model by mean realised cost on the offline router's lines.
const costBy = new Map<string, number[]>();
for (const line of [...offline, ...bandit]) if (line.model) (costBy.get(line.model) ?? costBy.set(line.model, []).get(line.model)!).push(line.costUsd);
const dear = [...costBy].sort((a, b) => b[1].reduce((s, x) => s + x, 0) / b[1].length - a[1].reduce((s, x) => s + x, 0) / a[1].length)[0]![0];
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const share = (ls: readonly { model: string | null }[], m: string) => ls.filter((l) => l.model === m).length / Math.max(1, ls.length);

console.log(`set ${values.set}, seed ${values.seed}, ${values.router} ${values.params}, paced to offline-knn's spend: ${values.paced}; knob wtp ${knobWtp.toPrecision(4)}; dearest model ${dear}`);
console.log(`whole stream: offline-knn ${mean(offline.map((l) => l.reward)).toFixed(4)} @ ${mean(offline.map((l) => l.costUsd)).toPrecision(4)}, ${values.router} ${mean(bandit.map((l) => l.reward)).toFixed(4)} @ ${mean(bandit.map((l) => l.costUsd)).toPrecision(4)}`);
const first = probes.slice(0, 1);
console.log(`step 0: max |bandit mean − prior q₀| = ${first[0]?.meanShift.toExponential(2)}; bandit chose ${bandit[0]?.model}, offline-knn chose ${offline[0]?.model}`);
const firstDiff = bandit.findIndex((l, t) => l.model !== offline[t]!.model);
console.log(`first step where the bandit's model differs from offline-knn's: ${firstDiff} (wtp multiplier there ${multipliers[firstDiff]?.toFixed(3) ?? "–"}, baseline ${probes[firstDiff]?.baseline}, raw-cost baseline ${probes[firstDiff]?.baselineRawCost}, gate left baseline: ${probes[firstDiff] ? probes[firstDiff]!.chosen !== probes[firstDiff]!.baseline : "–"})`);
const refused = bandit.map((l, t) => (l.model === null ? t : -1)).filter((t) => t >= 0);
if (refused.length > 0) {
  const lost = refused.reduce((sum, t) => sum + offline[t]!.reward, 0) / bandit.length;
  console.log(`refused (budget spent): ${refused.length} steps from step ${refused[0]}; offline-knn's reward on those steps = ${(lost * 100).toFixed(2)} points of the whole stream's mean`);
}
console.log();
console.log(`| steps | offline-knn ${dear} share | bandit ${dear} share | offline-knn reward | bandit reward | offline-knn cost | bandit cost | pacer multiplier (mean, min–max) | baseline ≠ offline-knn | of which raw-cost baseline = offline-knn (ratios) | gate left baseline | cost ratios | raw posterior mean, per model (mean; min–max) | width per model (mean) | refused (budget spent) |`);
console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
for (let start = 0; start < bandit.length; start += windowSize) {
  const end = Math.min(bandit.length, start + windowSize);
  const o = offline.slice(start, end);
  const b = bandit.slice(start, end);
  const p = probes.slice(start, end);
  const seen = p.filter((probe) => probe !== undefined);
  const mult = multipliers.slice(start, end);
  const diffAt = p.map((_, i) => i).filter((i) => p[i] !== undefined && p[i]!.baseline !== o[i]!.model);
  const diff = diffAt.map((i) => p[i]!);
  // Of those, the ones where the prior's choice at the same wtp with the engine's predicted cost is offline-knn's: the ratios moved it.
  const dueToRatios = diffAt.filter((i) => p[i]!.baselineRawCost === o[i]!.model);
  const left = seen.filter((probe) => probe.chosen !== probe.baseline).length;
  const ratios = seen.at(-1)?.ratios ?? {};
  const perModel = (field: "rawMean" | "width", full: boolean) =>
    models
      .map((m) => {
        const xs = seen.map((probe) => probe[field][m]).filter((v): v is number => v !== undefined);
        if (xs.length === 0) return `${m.split("/").at(-1)} –`;
        return `${m.split("/").at(-1)} ${mean(xs).toFixed(3)}${full ? ` (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})` : ""}`;
      })
      .join(", ");
  console.log(
    `| ${start}–${end - 1} | ${share(o, dear).toFixed(3)} | ${share(b, dear).toFixed(3)} | ${mean(o.map((l) => l.reward)).toFixed(4)} | ${mean(b.map((l) => l.reward)).toFixed(4)} | ${mean(o.map((l) => l.costUsd)).toPrecision(3)} | ${mean(b.map((l) => l.costUsd)).toPrecision(3)} | ${mult.length ? `${mean(mult).toFixed(3)} (${Math.min(...mult).toFixed(3)}–${Math.max(...mult).toFixed(3)})` : "unpaced"} | ${(diff.length / Math.max(1, seen.length)).toFixed(3)} | ${dueToRatios.length} of ${diff.length} | ${(left / Math.max(1, seen.length)).toFixed(3)} | ${Object.entries(ratios).map(([m, r]) => `${m.split("/").at(-1)} ${r.toFixed(2)}`).join(", ")} | ${perModel("rawMean", true)} | ${perModel("width", false)} | ${b.filter((l) => l.model === null).length} |`,
  );
}
