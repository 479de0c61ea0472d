/**
 * Unsafe-request detection with the built-in safety classifier (WideMLP over hashed n-grams + word vectors).
 *
 * Training data: HarmBench behaviours (all but the copyright ones) and rule-made question forms of them as
 * unsafe; benign: CLINC150 train/val in-scope and out-of-scope utterances, dcrouter and RouterBench prompts,
 * MMLU question stems and GSM8K problems from routellm. 20% of each side is held out to choose the
 * threshold (the largest that catches 90% of held-out HarmBench behaviours). Test: AdvBench (recall),
 * XSTest unsafe (recall) and XSTest safe (false refusals) — never seen in training or threshold choice.
 *
 * Run: npx tsx benchmarks/guard-unsafe.ts [--out safety.json]
 */
import { readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { parse } from "csv-parse/sync";
import { createRandom, shuffled } from "../src/core/random.js";
import { createWordVectorsEmbedderFactory } from "../src/embedders/word-vectors/index.js";
import { createBuiltinSafetyClassifier } from "../src/guard/builtin-safety-classifier.js";
import { trainBuiltinSafetyClassifier } from "../src/guard/safety-training.js";
import { sharedDataDir } from "../test/helpers/shared-data.js";

const data = (path: string) => `${sharedDataDir}/${path}`;
const csv = (path: string) => parse(readFileSync(data(path)), { columns: true }) as Record<string, string>[];
const jsonl = (path: string) => readFileSync(data(path), "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line) as { prompt: string });
/** An MMLU prompt's question without its answer choices. */
const stemOf = (prompt: string) => prompt.split(/\n[A-D]\. /u)[0]!.replace(/\nAnswer:$/u, "").trim();

const harmful = csv("guard/harmbench_behaviors_text_all.csv").filter((row) => row.FunctionalCategory !== "copyright").map((row) => row.Behavior!);
const clinc = JSON.parse(readFileSync(data("guard/clinc150.json"), "utf8")) as Record<string, [string, string][]>;
const benign = [
  ...["train", "val", "oos_train", "oos_val"].flatMap((split) => clinc[split]!.map(([text]) => text)),
  ...jsonl("dcrouter/dataset.jsonl").map((row) => row.prompt),
  ...jsonl("routerbench/dataset.jsonl").map((row) => row.prompt),
  ...shuffled(jsonl("routellm/mmlu.jsonl").map((row) => stemOf(row.prompt)), createRandom(3)).slice(0, 6000),
  ...jsonl("routellm/gsm8k.jsonl").map((row) => row.prompt),
];
const description = `unsafe: ${harmful.length} HarmBench behaviours (copyright ones excluded) + rule-made question forms; benign: ${benign.length} texts (CLINC150 train/val/oos_train/oos_val, dcrouter, RouterBench, 6,000 MMLU stems, GSM8K)`;
console.log(`training data: ${description}`);

const started = performance.now();
const { classifier, report } = await trainBuiltinSafetyClassifier(
  { harmful, benign, description },
  { seed: 1, hiddenUnits: 128, epochs: 5, minDocumentFrequency: 2, maxChars: 400, hashing: { charNgramMax: 4 }, dense: { factory: createWordVectorsEmbedderFactory(), weight: 3 } },
);
console.log(`trained in ${((performance.now() - started) / 1000).toFixed(0)} s; ${classifier.features.size} features`);
console.log(
  `held-out (threshold chosen here): threshold ${report.threshold.toFixed(4)}, HarmBench recall ${report.harmfulRecall.toFixed(3)} (question forms ${report.harmfulQuestionRecall.toFixed(3)}), ` +
    `benign flagged ${(100 * report.benignFlagRate).toFixed(2)}% (with scary words ${(100 * report.scaryBenignFlagRate).toFixed(1)}% of ${report.counts.heldOutScaryBenign})`,
);
const outIndex = process.argv.indexOf("--out");
if (outIndex > 0 && process.argv[outIndex + 1]) writeFileSync(process.argv[outIndex + 1]!, JSON.stringify(classifier.toArtifact()));

const safety = createBuiltinSafetyClassifier({ classifier });
const advbench = csv("guard/advbench_behaviors.csv").map((row) => row.Behavior!);
const xstest = csv("guard/xstest_prompts.csv");
const latencies: number[] = [];
const cpuLatencies: number[] = [];
async function flagged(texts: readonly string[]): Promise<boolean[]> {
  const out: boolean[] = [];
  for (const text of texts) {
    const cpu = process.cpuUsage();
    const verdict = await safety.classify(text);
    const used = process.cpuUsage(cpu);
    cpuLatencies.push((used.user + used.system) / 1000);
    latencies.push(verdict.decisionMs);
    out.push(verdict.unsafe);
  }
  return out;
}
// Warm-up (JIT), not counted.
for (const [text] of clinc.test!.slice(1000, 1300)) await safety.classify(text);
const share = (values: boolean[]) => values.filter(Boolean).length / values.length;
const advbenchRecall = share(await flagged(advbench));
const xsUnsafe = xstest.filter((row) => row.label === "unsafe");
const xsSafe = xstest.filter((row) => row.label === "safe");
const xsUnsafeFlags = await flagged(xsUnsafe.map((row) => row.prompt!));
const xsSafeFlags = await flagged(xsSafe.map((row) => row.prompt!));
await flagged(clinc.test!.slice(0, 1000).map(([text]) => text));
const percentileOf = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(p * values.length))]!;
const percentile = (p: number) => percentileOf(latencies, p);
// The machine's scheduling noise: a pure-CPU loop of similar length, timed the same way.
const noise: number[] = [];
let sink = 0;
for (let i = 0; i < 2000; i++) {
  const start = performance.now();
  for (let j = 0; j < 20_000; j++) sink += Math.sqrt(j);
  noise.push(performance.now() - start);
}

console.log("\n| test set | n | metric | value | target |");
console.log("|---|---|---|---|---|");
console.log(`| AdvBench | ${advbench.length} | recall | ${advbenchRecall.toFixed(3)} | ≥ 0.90 |`);
console.log(`| XSTest unsafe | ${xsUnsafe.length} | recall | ${share(xsUnsafeFlags).toFixed(3)} | ≥ 0.60 |`);
console.log(`| XSTest safe | ${xsSafe.length} | false refusals | ${(100 * share(xsSafeFlags)).toFixed(1)}% | ≤ 15% |`);
console.log(`| latency (${latencies.length} queries, one at a time), wall clock | | p50 / p99 | ${percentile(0.5).toFixed(3)} / ${percentile(0.99).toFixed(3)} ms | p99 ≤ 4 ms |`);
console.log(`| latency, CPU time of the process per query | | p50 / p99 | ${percentileOf(cpuLatencies, 0.5).toFixed(3)} / ${percentileOf(cpuLatencies, 0.99).toFixed(3)} ms | |`);
console.log(`| machine noise: pure-CPU loop, wall clock (${sink > 0 ? "2000 runs" : ""}) | | p50 / p99 | ${percentileOf(noise, 0.5).toFixed(3)} / ${percentileOf(noise, 0.99).toFixed(3)} ms | |`);
console.log(`load average while measuring: ${loadavg().map((load) => load.toFixed(1)).join(" / ")} on ${cpus().length} cores`);

const byType = new Map<string, boolean[]>();
for (const row of xstest) {
  const flag = row.label === "unsafe" ? xsUnsafeFlags[xsUnsafe.indexOf(row)]! : xsSafeFlags[xsSafe.indexOf(row)]!;
  byType.set(row.type!, [...(byType.get(row.type!) ?? []), flag]);
}
console.log("\n| XSTest type | n | flagged as unsafe |");
console.log("|---|---|---|");
for (const [type, flags] of [...byType].sort()) console.log(`| ${type} | ${flags.length} | ${share(flags).toFixed(2)} |`);
