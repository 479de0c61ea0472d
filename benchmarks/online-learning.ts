/**
 * Online learning (issue 13): bandit routers against static routers on a streamed replay of the shared
 * datasets (`simulate`): a seeded 30 % history is the labelled past (static routers and warm starts are
 * trained on it alone), the rest is streamed once in a seeded order with bandit feedback. Figures:
 * stationary warm vs offline (whole stream), cold last quarter vs offline — online routers paced to the knob's
 * calibrated spend so the comparison is at equal cost —, drift (degraded model's share), price change and
 * price cut (repriced model's share vs an offline router trained with the new prices), new model (its share
 * vs an offline router trained with it; both references at the run's wtp, on the same steps), budget pacing
 * (40 % of best-single's spend; reward against offline-knn's and the router's own best fixed knob in hindsight), speed. Bandit hyper-parameters are the defaults (tuned on seeds 1000+,
 * which no reported figure uses: benchmarks/online-learning-tuning.ts).
 *
 * Run: npx tsx benchmarks/online-learning.ts [--sets routerbench,dcrouter,routellm-mmlu] [--seeds 42,43,44]
 *      [--pace knob|reference] [--routers linucb+warm,thompson+warm] [--params '{"conservative":false}'] [--figures stationary,drift,price-change,price-cut,new-model,budget,speed] [--auto] [--out FILE.md]
 *      [--full-information] (a ceiling: every bandit also learns every other model's score at each step)
 *      [--anchors 50] (new-model: the bandits add the arriving model from its outcomes on 50 prompts of the traffic before it)
 */
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { createRandom } from "../src/core/random.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import { excludeContaminated } from "../src/data/split.js";
import { createBanditRouter } from "../src/routers/bandit/index.js";
import { routerTrainerFor } from "../src/routers/create-router-trainer.js";
import { simulate, type SimulationLine, type SimulationResult } from "../src/simulation/index.js";
import { shuffled } from "../src/core/random.js";
import { loadBenchmarkDataset } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "routerbench,dcrouter,routellm-mmlu" },
    seeds: { type: "string", default: "42,43,44" },
    figures: { type: "string", default: "stationary,drift,price-change,price-cut,new-model,budget,speed" },
    auto: { type: "boolean", default: false },
    /** Stationary figure: pace online routers to the knob's calibrated spend or to offline-knn's realised spend on the stream. */
    pace: { type: "string", default: "knob" },
    /** Stationary figure: the online routers to run (bare name = both starts). */
    routers: { type: "string", default: "linucb,thompson,eps-greedy+cold" },
    /** Bandit parameters (JSON) for every online router of every figure, e.g. '{"conservative":false}'. */
    params: { type: "string" },
    /** A ceiling, not a figure: bandits also learn every other model's score at each step (simulate's fullInformation). */
    "full-information": { type: "boolean", default: false },
    /** New-model figure: bandits add the arriving model from its graded outcomes on this many prompts of the traffic before it (0 = the optimistic prior). */
    anchors: { type: "string", default: "0" },
    out: { type: "string" },
  },
});
const sets = values.sets!.split(",");
const banditParams = values.params ? (JSON.parse(values.params) as Record<string, unknown>) : undefined;
const seeds = values.seeds!.split(",").map(Number);
const figures = new Set(values.figures!.split(","));
const output: string[] = [];
const say = (line: string) => {
  output.push(line);
  process.stdout.write(`${line}\n`);
};

interface Run {
  result: SimulationResult;
  lines: Map<string, SimulationLine[]>;
}

async function run(examples: RoutingExample[], models: string[], options: Partial<Parameters<typeof simulate>[0]> & { routers: string[] }): Promise<Run> {
  const lines = new Map<string, SimulationLine[]>();
  const result = await simulate({ examples, models, seed: 42, params: banditParams, fullInformation: values["full-information"], ...options, onLine: (line) => (lines.get(line.router) ?? lines.set(line.router, []).get(line.router)!).push(line) });
  return { result, lines };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const spread = (xs: readonly number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)));
const show = (xs: readonly number[], digits = 4) => `${mean(xs).toFixed(digits)} ± ${spread(xs).toFixed(digits)}`;
const showUsd = (xs: readonly number[]) => `${mean(xs).toPrecision(3)} ± ${spread(xs).toPrecision(2)}`;
const shareIn = (lines: readonly SimulationLine[], model: string, from: number, to: number) => {
  const slice = lines.slice(from, to);
  return slice.filter((line) => line.model === model).length / Math.max(1, slice.length);
};
const meanOf = (lines: readonly SimulationLine[], field: "reward" | "costUsd", from = 0, to = lines.length) => mean(lines.slice(from, to).map((line) => line[field]));

/** The share an offline router trained on `examples` (the scenario's truth: new prices, or the new model in the history) gives `model` at `wtp`, in steps [from, to). */
async function referenceShare(examples: RoutingExample[], models: string[], seed: number, willingnessToPay: number, model: string, from: number, to: number): Promise<number> {
  const reference = await run(examples, models, { seed, routers: [], willingnessToPay });
  return shareIn(reference.lines.get("offline-knn")!, model, from, to);
}

const repricedBy = (examples: RoutingExample[], model: string, factor: number): RoutingExample[] =>
  examples.map((example) => ({ ...example, outcomes: { ...example.outcomes, [model]: { ...example.outcomes[model]!, costUsd: example.outcomes[model]!.costUsd * factor } } }));

for (const set of sets) {
  const dataset = await loadBenchmarkDataset(set);
  const examples = excludeContaminated(dataset.examples);
  const models = [...dataset.models];
  const staticRouters = ["best-single", ...(values.auto ? ["auto"] : [])];
  say(`\n### ${set} (${examples.length} prompts × ${models.length} models; history 0.3; seeds ${seeds.join(", ")})\n`);
  // pairedMean / pairedVariance: per seed, the mean of (reward − offline-knn's reward) over the same steps and the variance of that mean.
  const perRouter = new Map<string, { reward: number[]; cost: number[]; lastReward: number[]; lastCost: number[]; pairedMean: number[]; pairedVariance: number[] }>();
  const scenarioRows: string[] = [];
  const budgetRows: string[] = [];
  const ratios = new Map<string, number[]>();
  const noteRatio = (key: string, value: number) => (ratios.get(key) ?? ratios.set(key, []).get(key)!).push(value);
  for (const seed of seeds) {
    if (figures.has("stationary")) {
      // Online routers paced to the knob's calibrated spend (the offline router's expected spend at knob 0.5, from its
      // calibration on the history), so that rewards compare at equal cost; static routers run unpaced at that knob.
      const stationary = await run(examples, models, { seed, paceToKnob: values.pace === "knob", paceToReference: values.pace === "reference", routers: [...values.routers!.split(","), ...staticRouters] });
      say(`| stationary seed ${seed} | paced to ${values.pace}; knob spend target ${stationary.result.knobSpendUsd.toPrecision(4)} USD per step |`);
      for (const [name, lines] of stationary.lines) {
        const entry = perRouter.get(name) ?? perRouter.set(name, { reward: [], cost: [], lastReward: [], lastCost: [], pairedMean: [], pairedVariance: [] }).get(name)!;
        const reference = stationary.lines.get("offline-knn")!;
        const differences = lines.map((line, t) => line.reward - reference[t]!.reward);
        entry.pairedMean.push(mean(differences));
        entry.pairedVariance.push(spread(differences) ** 2 / differences.length);
        const quarter = Math.floor((lines.length * 3) / 4);
        entry.reward.push(meanOf(lines, "reward"));
        entry.cost.push(meanOf(lines, "costUsd"));
        entry.lastReward.push(meanOf(lines, "reward", quarter));
        entry.lastCost.push(meanOf(lines, "costUsd", quarter));
        // Per-seed rows as they come (a long run's partial results are not lost).
        say(`| stationary seed ${seed} | ${name} | reward ${meanOf(lines, "reward").toFixed(4)} | cost ${meanOf(lines, "costUsd").toPrecision(4)} | last quarter: reward ${meanOf(lines, "reward", quarter).toFixed(4)} cost ${meanOf(lines, "costUsd", quarter).toPrecision(4)} |`);
      }
    }
    if (figures.has("drift")) {
      const drift = await run(examples, models, { seed, scenario: "drift", routers: ["linucb", "thompson"] });
      const { model, fromStep } = drift.result.scenario;
      for (const [name, lines] of drift.lines) {
        const before = shareIn(lines, model!, Math.max(0, fromStep - 300), fromStep);
        const after = shareIn(lines, model!, fromStep + 200, fromStep + 300);
        if (before > 0) noteRatio(`drift|${name}`, 1 - after / before);
        scenarioRows.push(`| drift | ${seed} | ${name} | ${model} | ${before.toFixed(3)} → ${after.toFixed(3)} | – | drop ${before > 0 ? ((1 - after / before) * 100).toFixed(0) : "–"} % |`);
        say(scenarioRows.at(-1)!);
      }
    }
    for (const scenario of ["price-change", "price-cut"] as const) {
      if (!figures.has(scenario)) continue;
      const change = await run(examples, models, { seed, scenario, routers: ["linucb", "thompson"] });
      const { model, fromStep } = change.result.scenario;
      // The reference: an offline router trained on the history with the new prices, at the same wtp, on the same steps.
      const factor = scenario === "price-change" ? 20 : 1 / 20;
      const from = fromStep + 200;
      const to = fromStep + 300;
      const target = await referenceShare(repricedBy(examples, model!, factor), models, seed, change.result.willingnessToPay, model!, from, to);
      for (const [name, lines] of change.lines) {
        const after = shareIn(lines, model!, from, to);
        if (name !== "offline-knn") noteRatio(`${scenario}|${name}`, Math.abs(after - target));
        scenarioRows.push(`| ${scenario} | ${seed} | ${name} | ${model} | ${shareIn(lines, model!, fromStep - 300, fromStep).toFixed(3)} → ${after.toFixed(3)} | ${target.toFixed(3)} | gap ${(Math.abs(after - target) * 100).toFixed(1)} points |`);
        say(scenarioRows.at(-1)!);
      }
    }
    if (figures.has("new-model")) {
      const anchors = Number(values.anchors);
      const arrival = await run(examples, models, { seed, scenario: "new-model", routers: ["linucb", "thompson"], anchors });
      const { model, fromStep, anchorCostUsd } = arrival.result.scenario;
      const tag = anchors > 0 ? ` (${anchors} anchors)` : "";
      // The reference: an offline router trained on the same history with the model, at the same wtp, on the same steps.
      const target = await referenceShare(examples, models, seed, arrival.result.willingnessToPay, model!, fromStep + 400, fromStep + 500);
      for (const [name, lines] of arrival.lines) {
        const share = shareIn(lines, model!, fromStep + 400, fromStep + 500);
        const named = name === "offline-knn" ? name : `${name}${tag}`;
        if (name !== "offline-knn" && target > 0) noteRatio(`new-model|${named}`, share / target);
        const anchorNote = anchors > 0 && name !== "offline-knn" ? `; anchors cost ${anchorCostUsd.toPrecision(3)} USD = ${((100 * anchorCostUsd) / arrival.result.routers.find((r) => r.router === name)!.totalCostUsd).toFixed(2)} % of its stream spend` : "";
        scenarioRows.push(`| new-model | ${seed} | ${named} | ${model} | +400…+500: ${share.toFixed(3)} | ${target.toFixed(3)} | ratio ${target > 0 ? (share / target).toFixed(2) : "–"}${anchorNote} |`);
        say(scenarioRows.at(-1)!);
      }
    }
    if (figures.has("budget")) {
      const reference = await run(examples, models, { seed, routers: ["best-single"] });
      const bestSingle = reference.result.routers.find((r) => r.router === "offline-best-single")!;
      const budgetUsd = 0.4 * bestSingle.totalCostUsd;
      const paced = await run(examples, models, { seed, budgetUsd, quality: 1, routers: ["linucb+warm", "linucb+cold"] });
      // Best fixed knob in hindsight: each router unpaced at 6 knobs (0, 0.2, …, 1), the best reward among those within the
      // budget — offline-knn's (the reference) and each bandit's own (which isolates the pacer from the learner).
      const bestKnob = new Map<string, { knob: number; reward: number; spend: number }>();
      for (let k = 0; k <= 5; k++) {
        const fixed = await run(examples, models, { seed, quality: k / 5, routers: ["linucb+warm", "linucb+cold"] });
        for (const summary of fixed.result.routers) {
          const best = bestKnob.get(summary.router) ?? { knob: -1, reward: 0, spend: 0 };
          if (summary.totalCostUsd <= budgetUsd && summary.meanReward > best.reward) bestKnob.set(summary.router, { knob: k / 5, reward: summary.meanReward, spend: summary.totalCostUsd });
        }
      }
      const offlineBest = bestKnob.get("offline-knn") ?? { knob: -1, reward: 0, spend: 0 };
      const knobText = (best: { knob: number; reward: number; spend: number } | undefined) => (best ? `knob ${best.knob}: ${best.reward.toFixed(4)} (spend ${best.spend.toPrecision(4)})` : "none within budget");
      const ratioText = (reward: number, best: { reward: number } | undefined) => (best && best.reward > 0 ? `${((reward / best.reward) * 100).toFixed(1)} %` : "–");
      for (const summary of paced.result.routers) {
        const own = bestKnob.get(summary.router);
        budgetRows.push(`| ${seed} | ${summary.router} | ${budgetUsd.toPrecision(4)} | ${summary.totalCostUsd.toPrecision(4)} | ${summary.totalCostUsd <= budgetUsd ? "yes" : "NO"} | ${summary.refused} | ${summary.meanReward.toFixed(4)} | ${knobText(offlineBest)} | ${ratioText(summary.meanReward, offlineBest)} | ${knobText(own)} | ${ratioText(summary.meanReward, own)} |`);
        say(budgetRows.at(-1)!);
      }
    }
  }
  if (perRouter.size > 0) {
    say("\n| router | mean reward (whole stream) | mean cost USD (whole stream) | mean reward (last quarter) | mean cost USD (last quarter) |");
    say("|---|---|---|---|---|");
    for (const [name, entry] of perRouter) say(`| ${name}${name.includes("+") ? " (paced)" : ""} | ${show(entry.reward)} | ${showUsd(entry.cost)} | ${show(entry.lastReward)} | ${showUsd(entry.lastCost)} |`);
    const offline = perRouter.get("offline-knn")!;
    for (const name of ["linucb+warm", "thompson+warm"]) {
      const warm = perRouter.get(name);
      // The paired standard error: the same prompts in the same order, so only the steps where the two routers differ add noise.
      const standardError = warm ? (100 * Math.sqrt(warm.pairedVariance.reduce((a, b) => a + b, 0))) / warm.pairedVariance.length : 0;
      if (warm) say(`\n${name} − offline-knn over the whole stream: reward ${((mean(warm.reward) - mean(offline.reward)) * 100).toFixed(2)} points (paired standard error ${standardError.toFixed(2)}; per seed ${warm.pairedMean.map((d) => (d * 100).toFixed(2)).join(" / ")}), cost ${((mean(warm.cost) / mean(offline.cost) - 1) * 100).toFixed(1)} %.`);
    }
    for (const name of ["linucb+cold", "thompson+cold", "eps-greedy+cold"]) {
      const cold = perRouter.get(name);
      if (cold) say(`${name} last quarter: ${((mean(cold.lastReward) / mean(offline.lastReward)) * 100).toFixed(1)} % of offline-knn's reward at ${((mean(cold.lastCost) / mean(offline.lastCost)) * 100).toFixed(0)} % of its cost.`);
    }
  }
  if (scenarioRows.length > 0) {
    say("\n| scenario | seed | router | model | its share (before → after, or in the window) | offline router trained with the change, same wtp and steps | figure |");
    say("|---|---|---|---|---|---|---|");
    for (const row of scenarioRows) say(row);
    say("");
    for (const [key, xs] of ratios) say(`${key}: ${xs.map((x) => x.toFixed(2)).join(", ")} (mean ${mean(xs).toFixed(2)})`);
  }
  if (budgetRows.length > 0) {
    say("\n| seed | router (paced, base knob 1) | budget USD | spend USD | within | refused | mean reward | best fixed knob within budget (offline-knn) | ratio | this router's best fixed knob within budget | ratio |");
    say("|---|---|---|---|---|---|---|---|---|---|---|");
    for (const row of budgetRows) say(row);
  }
}

if (figures.has("speed")) {
  // d = 512 dense embeddings, 12 targets: decision (choose) and update latency of LinUCB and Thompson.
  const random = createRandom(7);
  const models = Array.from({ length: 12 }, (_, i) => `model-${i}`);
  const embed = () => {
    const v = new Float32Array(512);
    let norm = 0;
    for (let j = 0; j < 512; j++) norm += (v[j] = random() - 0.5) ** 2;
    for (let j = 0; j < 512; j++) v[j]! /= Math.sqrt(norm);
    return v;
  };
  say("\n| router | features p | decision p50 / p99 (ms) | update p50 / p99 (ms) |");
  say("|---|---|---|---|");
  for (const kind of ["linucb", "thompson"] as const) {
    for (const dimension of [128, 512]) {
      const router = createBanditRouter({ kind, params: { dimension }, models, inputDimension: 512, seed: 1, resolve: routerTrainerFor });
      const decide: number[] = [];
      const update: number[] = [];
      const candidates = models.map((model, i) => ({ model, predictedQuality: 0, predictedCostUsd: 1e-4 * (i + 1) }));
      for (let t = 0; t < 3000; t++) {
        const input = { text: "", embedding: embed(), promptTokens: 50 + (t % 300) };
        let start = performance.now();
        const choice = router.choose(input, candidates, 0.01, random);
        if (t >= 500) decide.push(performance.now() - start);
        start = performance.now();
        router.update({ input, model: choice.model, reward: random() < 0.5 ? 1 : 0, costUsd: 1e-4, predictedCostUsd: 1e-4 });
        if (t >= 500) update.push(performance.now() - start);
      }
      const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.floor(p * xs.length)]!;
      say(`| ${kind} (dimension ${dimension}) | ${router.featureDimension} | ${q(decide, 0.5).toFixed(3)} / ${q(decide, 0.99).toFixed(3)} | ${q(update, 0.5).toFixed(3)} / ${q(update, 0.99).toFixed(3)} |`);
    }
  }
  // A whole simulation of 10,000 streamed steps × 4 routers (routellm MMLU: 14,042 prompts, history 0.3 → ~9,800 steps; repeated to 10,000).
  const mmluSet = await loadBenchmarkDataset("routellm-mmlu");
  const order = shuffled(excludeContaminated(mmluSet.examples), createRandom(3)).slice(0, 14_300);
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const result = await simulate({ examples: order, models: mmluSet.models, routers: ["linucb+warm", "linucb+cold", "thompson+cold"], history: 0.3, seed: 42 });
  say(`\nSimulation wall time: ${result.dataset.streamedSteps} streamed steps × ${result.routers.length} routers (incl. offline-knn), history ${result.dataset.historyPrompts}: ${((performance.now() - started) / 1000).toFixed(1)} s wall, ${((process.cpuUsage(cpuBefore).user + process.cpuUsage(cpuBefore).system) / 1e6).toFixed(1)} s CPU, end to end (training and embedding included); load average at the end ${(await import("node:os")).loadavg()[0]!.toFixed(1)}.`);
}

if (values.out) await writeFile(values.out, `${output.join("\n")}\n`);
