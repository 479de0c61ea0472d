/**
 * "OPE is right": does `switchyard ope` recover a candidate router's true mean reward from a log of
 * another policy's traffic? On the test split of each set, a logging policy — ε-greedy around a kNN
 * router trained on the train split (knob 0.5) — serves every test prompt; the log records the served
 * model, its propensity (1 − ε + ε/M for the kNN's choice, ε/M for any other of the M models), the
 * dataset's score of that model as the reward and its recorded cost. A second router (linear, also trained
 * on the train split only) is evaluated on the log with the library path `switchyard ope` runs
 * (`opeRowsOf` through `createRoutingEngine`, then `evaluateOffPolicy`). Its true mean reward and cost
 * come from the full score matrix: the dataset's score and cost of the model it picks on each prompt.
 * Over 50 seeded logs per ε we report how often the 95 % interval contains the truth (coverage), the
 * mean absolute error, the mean interval width and the mean effective sample size; and that a
 * deterministic log (ε = 0) is refused. SNIPS is reported with both reward intervals on the same logs:
 * the default betting interval and the delta-method (normal) one (`--snips-interval`).
 *
 * Run: npx tsx benchmarks/ope-accuracy.ts [--sets routerbench,dcrouter] [--replications 50] [--epsilons 0.1,0.3]
 *      [--logging knn] [--candidate linear] [--knob 0.5] [--requests 5000] [--seed 42]
 * `--requests 0` logs one request per test prompt instead of drawing `requests` prompts from the test split.
 */
import { parseArgs } from "node:util";
import { artifactVersionOf } from "../src/artifacts/artifact-version.js";
import { offlineTargetsOf } from "../src/artifacts/offline-targets.js";
import { createRoutingEngine } from "../src/core/create-routing-engine.js";
import { isSwitchyardError } from "../src/core/errors.js";
import { createRandom } from "../src/core/random.js";
import { queryOfPrompt } from "../src/core/query.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import type { RoutingLogEntry } from "../src/data/routing-log-entry.js";
import { evaluateOffPolicy, type EstimatorName } from "../src/ope/evaluate-off-policy.js";
import { opeRowsOf } from "../src/ope/ope-rows-of.js";
import type { OutcomeModelKind } from "../src/ope/outcome-model.js";
import type { SnipsInterval } from "../src/ope/evaluate-off-policy.js";
import { trainRouterArtifact } from "../src/training/train-router-artifact.js";
import { loadBenchmarkSplits } from "./benchmark-sets.js";

const { values } = parseArgs({
  options: {
    sets: { type: "string", default: "routerbench,dcrouter" },
    replications: { type: "string", default: "50" },
    epsilons: { type: "string", default: "0.1,0.3" },
    logging: { type: "string", default: "knn" },
    candidate: { type: "string", default: "linear" },
    knob: { type: "string", default: "0.5" },
    seed: { type: "string", default: "42" },
    requests: { type: "string", default: "5000" },
  },
});
const replications = Number(values.replications);
const epsilons = values.epsilons.split(",").map(Number);
const knob = Number(values.knob);
const seed = Number(values.seed);
const requests = Number(values.requests);

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
console.log(`# OPE accuracy: ε-greedy ${values.logging} logs, ${values.candidate} candidate, ${replications} replications`);
console.log("");
console.log(`Command: \`npx tsx benchmarks/ope-accuracy.ts --sets ${values.sets} --replications ${replications} --epsilons ${values.epsilons} --logging ${values.logging} --candidate ${values.candidate} --knob ${knob} --requests ${requests} --seed ${seed}\``);
console.log("");
console.log(`Each log: ${requests > 0 ? `${requests} requests with prompts drawn uniformly from the test split` : "one request per test prompt"}; the truth is the candidate's mean score and cost over the test split (full score matrix).`);
console.log("");
const started = performance.now();
const summaries: string[] = [];

/**
 * The ε-greedy log of one replication: `requests` requests whose prompts are drawn uniformly (with
 * replacement) from the test split — traffic from the test distribution — or, with `requests` 0, one
 * request per test prompt.
 */
function epsilonGreedyLog(test: readonly RoutingExample[], greedy: readonly string[], candidates: RoutingLogEntry["candidates"][], models: readonly string[], epsilon: number, replication: number, artifact: string): RoutingLogEntry[] {
  const random = createRandom(seed * 1000 + replication);
  const picks = requests > 0 ? Array.from({ length: requests }, () => Math.floor(random() * test.length)) : test.map((_, i) => i);
  return picks.map((i, request) => {
    const example = test[i]!;
    const explore = random() < epsilon;
    const model = explore ? models[Math.floor(random() * models.length)]! : greedy[i]!;
    const propensity = (model === greedy[i] ? 1 - epsilon : 0) + epsilon / models.length;
    const outcome = example.outcomes[model]!;
    return { id: `${example.id}#${request}`, prompt: example.prompt, model, propensity, reward: outcome.score, costUsd: outcome.costUsd, candidates: candidates[i]!, router: values.logging, artifact, knob };
  });
}

for (const set of values.sets.split(",")) {
  const { train, test, models } = await loadBenchmarkSplits(set, seed);
  const artifactOf = (router: string) => trainRouterArtifact({ examples: train, models, router, seed, dataset: set, split: "train" });
  const loggingArtifact = await artifactOf(values.logging);
  const candidateArtifact = await artifactOf(values.candidate);
  const loggingEngine = await createRoutingEngine({ artifact: loggingArtifact, targets: offlineTargetsOf(loggingArtifact) });
  const candidateEngine = await createRoutingEngine({ artifact: candidateArtifact, targets: offlineTargetsOf(candidateArtifact) });
  const greedy: string[] = [];
  const candidates: RoutingLogEntry["candidates"][] = [];
  for (const example of test) {
    const decision = await loggingEngine.decide(queryOfPrompt(example.prompt, { quality: knob }, example.id));
    greedy.push(decision.model);
    candidates.push(decision.candidates.map((c) => ({ model: c.model, predictedQuality: c.predictedQuality, predictedCostUsd: c.predictedCostUsd })));
  }
  // The truth: the candidate's own choice on every test prompt, scored with the full matrix.
  let trueReward = 0;
  let trueCost = 0;
  let agreement = 0;
  for (const [i, example] of test.entries()) {
    const choice = (await candidateEngine.decide(queryOfPrompt(example.prompt, { quality: knob }, example.id))).model;
    trueReward += example.outcomes[choice]!.score;
    trueCost += example.outcomes[choice]!.costUsd;
    if (choice === greedy[i]) agreement++;
  }
  trueReward /= test.length;
  trueCost /= test.length;
  const loggingTruth = test.reduce((sum, example, i) => sum + example.outcomes[greedy[i]!]!.score, 0) / test.length;
  console.log(`## ${set}: ${test.length} test prompts × ${models.length} models; ${values.candidate} true reward ${trueReward.toFixed(4)}, cost $${trueCost.toExponential(3)}; greedy ${values.logging} ${loggingTruth.toFixed(4)}; the two agree on ${((agreement / test.length) * 100).toFixed(1)}% of prompts`);
  console.log("");
  console.log("| ε | estimator | coverage (reward) | MAE (reward) | mean CI width | coverage (cost) | mean ESS | refused |");
  console.log("|---|---|---|---|---|---|---|---|");

  const loggingVersion = artifactVersionOf(loggingArtifact);
  for (const epsilon of epsilons) {
    const variants: Array<{ label: string; estimator: EstimatorName; outcomeModel: OutcomeModelKind; snipsInterval?: SnipsInterval }> = [
      { label: "ips", estimator: "ips", outcomeModel: "calibrated" },
      { label: "snips (betting CI, default)", estimator: "snips", outcomeModel: "calibrated", snipsInterval: "betting" },
      { label: "snips (normal CI)", estimator: "snips", outcomeModel: "calibrated", snipsInterval: "normal" },
      { label: "dr (calibrated)", estimator: "dr", outcomeModel: "calibrated" },
      { label: "dr (candidate)", estimator: "dr", outcomeModel: "candidate" },
    ];
    const stats = variants.map(() => ({ covered: 0, costCovered: 0, absoluteError: 0, width: 0, ess: 0, answered: 0, refused: 0 }));
    for (let replication = 0; replication < replications; replication++) {
      const entries = epsilonGreedyLog(test, greedy, candidates, models, epsilon, replication, loggingVersion);
      const rows = await opeRowsOf({ engine: candidateEngine, entries, knob });
      for (const [outcomeModel, snipsInterval] of [["calibrated", "betting"], ["calibrated", "normal"], ["candidate", "betting"]] as const) {
        let report;
        try {
          report = evaluateOffPolicy(rows, { outcomeModel, snipsInterval });
        } catch (error) {
          if (!isSwitchyardError(error) || error.code !== "ope_refused") throw error;
          if (replication === 0) console.error(`refused (ε=${epsilon}, ${outcomeModel}): ${error.message}`);
          const owns = (variant: (typeof variants)[number]) => (variant.estimator === "dr" ? variant.outcomeModel === outcomeModel && snipsInterval === "betting" : outcomeModel === "calibrated" && (variant.snipsInterval ?? "betting") === snipsInterval);
          variants.forEach((variant, v) => owns(variant) && stats[v]!.refused++);
          continue;
        }
        variants.forEach((variant, v) => {
          // Each variant is read from exactly one of the three reports.
          if (variant.estimator === "dr" && (variant.outcomeModel !== outcomeModel || snipsInterval !== "betting")) return;
          if (variant.estimator !== "dr" && (outcomeModel !== "calibrated" || (variant.snipsInterval ?? "betting") !== snipsInterval)) return;
          const result = report.estimators[variant.estimator]!;
          const s = stats[v]!;
          s.answered++;
          if (result.rewardCi[0] <= trueReward && trueReward <= result.rewardCi[1]) s.covered++;
          if (result.costCi[0] <= trueCost && trueCost <= result.costCi[1]) s.costCovered++;
          s.absoluteError += Math.abs(result.reward - trueReward);
          s.width += result.rewardCi[1] - result.rewardCi[0];
          s.ess += report.effectiveSampleSize;
        });
      }
    }
    variants.forEach((variant, v) => {
      const s = stats[v]!;
      const n = Math.max(1, s.answered);
      console.log(`| ${epsilon} | ${variant.label} | ${fixed((s.covered / n) * 100, 0)}% | ${fixed(s.absoluteError / n, 4)} | ${fixed(s.width / n, 4)} | ${fixed((s.costCovered / n) * 100, 0)}% | ${fixed(s.ess / n, 1)} | ${s.refused}/${replications} |`);
    });
    const of = (label: string) => stats[variants.findIndex((variant) => variant.label === label)]!;
    const share = (count: number, total: number) => `${fixed((count / Math.max(1, total)) * 100, 0)}%`;
    const snips = of("snips (betting CI, default)");
    const dr = of("dr (calibrated)");
    const ips = of("ips");
    const meetsBar = snips.refused === 0 && dr.refused === 0 && snips.covered >= 0.9 * replications && dr.covered >= 0.9 * replications && dr.absoluteError <= ips.absoluteError;
    summaries.push(`${set} ε=${epsilon}: SNIPS coverage ${share(snips.covered, snips.answered)}, DR coverage ${share(dr.covered, dr.answered)} (of ${dr.answered} answered), DR MAE ${fixed(dr.absoluteError / Math.max(1, dr.answered), 4)} vs IPS ${fixed(ips.absoluteError / Math.max(1, ips.answered), 4)} — ${meetsBar ? "meets" : "misses"} the bar`);
  }
  // Deterministic logging (ε = 0): every propensity is 1, and OPE must refuse rather than answer.
  const deterministic = epsilonGreedyLog(test, greedy, candidates, models, 0, 0, loggingVersion);
  let refusal = "answered (wrong: it should refuse)";
  try {
    evaluateOffPolicy(await opeRowsOf({ engine: candidateEngine, entries: deterministic, knob }));
  } catch (error) {
    if (!isSwitchyardError(error) || error.code !== "ope_refused") throw error;
    refusal = `refused: "${error.message.slice(0, 120)}…"`;
  }
  console.log("");
  console.log(`Deterministic logging (ε = 0): ${refusal}`);
  console.log("");
}
for (const line of summaries) console.log(`- ${line}`);
console.log("");
console.log(`Took ${((performance.now() - started) / 1000).toFixed(0)} s (2 cores, shared with other agents).`);
