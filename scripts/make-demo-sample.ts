/**
 * Builds the bundled demo data in `examples/demo/` from RouterBench's own CSVs in `../shared/data/routerbench`:
 * `routerbench-sample.jsonl` (canonical routing JSONL with every model's recorded response), `models.json`
 * (prices fitted from the recorded costs) and `NOTICE.md` (source, licence, how it was sampled).
 *
 * Run: `npx tsx scripts/make-demo-sample.ts [sourceDir] [outputDir]`. Same data, same bytes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRandom, shuffled } from "../src/core/random.js";
import { estimateTokens } from "../src/core/tokens.js";
import { normalizePromptText } from "../src/data/prompt-text.js";
import { readRouterBenchCsv } from "../src/data/read-routerbench-csv.js";
import type { RoutingExample } from "../src/data/routing-example.js";
import { formatRoutingExample, formatRoutingJsonl } from "../src/data/write-routing-jsonl.js";

const SEED = 20240318;
const SAMPLE_SIZE: Record<string, number> = { train: 300, test: 100 };
/** Rows whose JSONL line is longer than this are not sampled (a few long code answers), to keep the file small. */
const MAX_LINE_BYTES = 16_000;
const MAX_FILE_BYTES = 1_800_000;

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const sourceDirectory = resolve(process.argv[2] ?? join(repositoryRoot, "../shared/data/routerbench"));
const outputDirectory = resolve(process.argv[3] ?? join(repositoryRoot, "examples/demo"));

/** Largest-remainder allocation of `total` over groups in proportion to their sizes (ties: first group first). */
function allocate(sizes: readonly number[], total: number): number[] {
  const all = sizes.reduce((sum, size) => sum + size, 0);
  const quotas = sizes.map((size) => (size * total) / all);
  const counts = quotas.map(Math.floor);
  let missing = total - counts.reduce((sum, count) => sum + count, 0);
  const order = quotas.map((quota, index) => ({ index, remainder: quota - Math.floor(quota) }))
    .sort((a, b) => b.remainder - a.remainder || a.index - b.index);
  for (const { index } of order) {
    if (missing-- <= 0) break;
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts;
}

/**
 * Non-negative least squares for `y ≈ a·x1 + b·x2` (two unknowns): the unconstrained solution when it is
 * non-negative, else the better of the two one-variable fits clamped at zero.
 */
function fitTwoPrices(x1: readonly number[], x2: readonly number[], y: readonly number[]): { a: number; b: number; r2: number } {
  let s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0, syy = 0, sy = 0;
  for (let i = 0; i < y.length; i++) {
    const u = x1[i] ?? 0, v = x2[i] ?? 0, w = y[i] ?? 0;
    s11 += u * u; s12 += u * v; s22 += v * v; s1y += u * w; s2y += v * w; syy += w * w; sy += w;
  }
  const sse = (a: number, b: number): number => syy - 2 * a * s1y - 2 * b * s2y + a * a * s11 + 2 * a * b * s12 + b * b * s22;
  const determinant = s11 * s22 - s12 * s12;
  const candidates: { a: number; b: number }[] = [
    { a: s11 > 0 ? Math.max(0, s1y / s11) : 0, b: 0 },
    { a: 0, b: s22 > 0 ? Math.max(0, s2y / s22) : 0 },
  ];
  if (determinant > 0) {
    const a = (s1y * s22 - s2y * s12) / determinant;
    const b = (s2y * s11 - s1y * s12) / determinant;
    if (a >= 0 && b >= 0) candidates.unshift({ a, b });
  }
  const best = candidates.reduce((left, right) => (sse(right.a, right.b) < sse(left.a, left.b) ? right : left));
  const total = syy - (sy * sy) / y.length;
  return { ...best, r2: total > 0 ? 1 - sse(best.a, best.b) / total : 1 };
}

function significant(value: number, digits = 4): number {
  return value === 0 ? 0 : Number(value.toPrecision(digits));
}

const dataset = await readRouterBenchCsv(sourceDirectory);
const models = dataset.models;

// Prices: fit USD per token on every complete row, then quote USD per million tokens.
const priced = models.map((model) => {
  const x1: number[] = [], x2: number[] = [], y: number[] = [];
  for (const example of dataset.examples) {
    const outcome = example.outcomes[model];
    if (!outcome) continue;
    x1.push(estimateTokens(normalizePromptText(example.prompt)));
    x2.push(estimateTokens(outcome.response ?? ""));
    y.push(outcome.costUsd);
  }
  const fit = fitTwoPrices(x1, x2, y);
  return {
    id: model,
    inputUsdPerMTok: significant(fit.a * 1e6),
    outputUsdPerMTok: significant(fit.b * 1e6),
    description: `RouterBench model; prices fitted to its ${y.length} recorded costs (R² ${fit.r2.toFixed(3)}).`,
  };
});

// Sample: per split (RouterBench's own train/test files) and per task, in proportion, seeded.
const random = createRandom(SEED);
const chosen = new Set<string>();
const tally: string[] = [];
for (const split of Object.keys(SAMPLE_SIZE)) {
  const inSplit = dataset.examples.filter((example) => example.split === split);
  const tasks = [...new Set(inSplit.map((example) => example.task ?? ""))];
  const counts = allocate(tasks.map((task) => inSplit.filter((example) => (example.task ?? "") === task).length), SAMPLE_SIZE[split] ?? 0);
  tasks.forEach((task, index) => {
    const eligible = inSplit.filter((example) => (example.task ?? "") === task && Buffer.byteLength(formatRoutingExample(example)) <= MAX_LINE_BYTES);
    const picked = shuffled(eligible, random).slice(0, counts[index] ?? 0);
    for (const example of picked) chosen.add(example.id);
    tally.push(`| ${split} | ${task} | ${picked.length} | ${eligible.length} |`);
  });
}
const sample: RoutingExample[] = dataset.examples.filter((example) => chosen.has(example.id));
const jsonl = formatRoutingJsonl(sample);
const bytes = Buffer.byteLength(jsonl);
if (bytes > MAX_FILE_BYTES) throw new Error(`the sample is ${bytes} bytes, over the ${MAX_FILE_BYTES} budget; lower MAX_LINE_BYTES or the sample size`);

const note = "Prices are DERIVED, not published list prices: for each model, a non-negative least-squares fit of RouterBench's recorded "
  + "per-query total_cost ≈ input·ceil(len(prompt)/4) + output·ceil(len(response)/4) over all "
  + `${dataset.examples.length} complete RouterBench rows (prompt = the list literal's text, see normalizePromptText), `
  + "in USD per million tokens, 4 significant digits. Outcome costs in the sample are RouterBench's exact recorded costs.";

const notice = `# Demo data: a RouterBench sample

\`routerbench-sample.jsonl\` holds ${sample.length} prompts (${sample.filter((example) => example.split === "train").length} train, ${sample.filter((example) => example.split === "test").length} test) with the real, recorded
outcome of each of ${models.length} models on each: its score, its exact cost in USD and its answer text.

## Source and licence
- RouterBench 0-shot data: Hu et al., "RouterBench: A Benchmark for Multi-LLM Routing System" (2024),
  arXiv:2403.12031, code at https://github.com/withmartian/routerbench (MIT licence).
- As redistributed in https://github.com/shuhao02/RouterDC (\`datasets/routerbench_zs/*.csv\`).
- Models: ${models.map((model) => `\`${model}\``).join(", ")} (RouterBench's ids, unchanged).

## How it was made
\`npx tsx scripts/make-demo-sample.ts\` (deterministic: the same input gives the same bytes), seed ${SEED}.
1. Read RouterBench's CSVs as shipped (\`<task>_train.csv\`, \`<task>_test.csv\`); ${dataset.examples.length} rows have a score and
   cost for every model (rows with a blank score or cost are left out).
2. Kept RouterBench's own train/test split (from the file names) and drew, with a seeded shuffle,
   ${SAMPLE_SIZE.train} train and ${SAMPLE_SIZE.test} test prompts, each split's tasks in proportion to their share of that split
   (largest remainder). Rows whose JSONL line exceeds ${MAX_LINE_BYTES} bytes (a few long code answers) were not drawn,
   to keep the file under ${(MAX_FILE_BYTES / 1e6).toFixed(1)} MB; it is ${bytes} bytes.
3. Prompts are kept exactly as RouterBench stores them (a Python list literal such as \`['…']\`, like the
   canonical \`routerbench/dataset.jsonl\`); ids are RouterBench's \`sample_id\`s.
4. \`models.json\`: prices derived from the data, not list prices (see its \`note\`).

| split | task | drawn | eligible |
|---|---|---|---|
${tally.join("\n")}
`;

await mkdir(outputDirectory, { recursive: true });
await writeFile(join(outputDirectory, "routerbench-sample.jsonl"), jsonl, "utf8");
await writeFile(join(outputDirectory, "models.json"), `${JSON.stringify({ note, models: priced }, null, 2)}\n`, "utf8");
await writeFile(join(outputDirectory, "NOTICE.md"), notice, "utf8");
console.log(`wrote ${sample.length} prompts (${bytes} bytes) × ${models.length} models to ${outputDirectory}`);
for (const model of priced) console.log(`${model.id}: $${model.inputUsdPerMTok} in / $${model.outputUsdPerMTok} out per M tokens — ${model.description}`);
