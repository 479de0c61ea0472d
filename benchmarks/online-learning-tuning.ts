/**
 * The tuning run behind the bandit defaults (docs/online-learning.md): a few exploration / prior / discount
 * settings on routerbench with seed 1000 — a history split and stream order that no figure in
 * BENCHMARKS.md uses (those use seeds 42, 43, 44). Prints whole-stream mean reward and cost per setting.
 *
 * Run: npx tsx benchmarks/online-learning-tuning.ts [--set routerbench] [--seed 1000]
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadDataset } from "../src/data/load-dataset.js";
import { excludeContaminated } from "../src/data/split.js";
import { simulate } from "../src/simulation/index.js";

const dataDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../shared/data");
const FILES: Record<string, string> = { routerbench: "routerbench/dataset.jsonl", dcrouter: "dcrouter/dataset.jsonl", "routellm-mmlu": "routellm/mmlu.jsonl" };
const { values } = parseArgs({ options: { set: { type: "string", default: "routerbench" }, seed: { type: "string", default: "1000" }, settings: { type: "string" } } });
const dataset = await loadDataset(join(dataDir, FILES[values.set!]!));
const examples = excludeContaminated(dataset.examples);
const settings: Array<Record<string, unknown>> = values.settings
  ? (JSON.parse(values.settings) as Array<Record<string, unknown>>)
  : [{}, { alpha: 0.1, posteriorScale: 0.1 }, { alpha: 0.1, posteriorScale: 0.1, warmLambda: 30 }, { alpha: 0.1, posteriorScale: 0.1, discount: 0.999 }, { alpha: 0.05, posteriorScale: 0.05, warmLambda: 30, discount: 0.999 }];
console.log(`| params | router | mean reward | mean cost USD |`);
console.log(`|---|---|---|---|`);
for (const params of settings) {
  const result = await simulate({ examples, models: dataset.models, routers: ["linucb", "thompson+warm"], seed: Number(values.seed), params });
  for (const run of result.routers) console.log(`| ${JSON.stringify(params)} | ${run.router} | ${run.meanReward.toFixed(4)} | ${run.meanCostUsd.toPrecision(4)} |`);
}
