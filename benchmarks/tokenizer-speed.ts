/**
 * Which OpenAI tokenizer library the gateway uses for budgets and context-window checks: load time and
 * counting speed of `gpt-tokenizer` and `js-tiktoken` (o200k_base) on the demo prompts, plus how far the
 * characters ÷ 4 estimate is from the real count.
 *
 *   npm install --no-save js-tiktoken   # the alternative, for the comparison only
 *   npx tsx benchmarks/tokenizer-speed.ts [--rounds 5]
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1] || 5) || 5;
const prompts = readFileSync(new URL("../examples/demo/routerbench-sample.jsonl", import.meta.url), "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => String((JSON.parse(line) as { prompt: unknown }).prompt));

interface Counter {
  name: string;
  count: (text: string) => number;
}

async function load(name: string): Promise<{ counter: Counter; loadMs: number }> {
  const started = performance.now();
  let counter: Counter;
  if (name === "gpt-tokenizer") {
    const module = await import("gpt-tokenizer/encoding/o200k_base");
    counter = { name, count: (text) => module.countTokens(text) };
  } else {
    // Not a dependency of the project (gpt-tokenizer was chosen): `npm install --no-save js-tiktoken` to compare.
    const lite = "js-tiktoken/lite";
    const ranksPath = "js-tiktoken/ranks/o200k_base";
    const { Tiktoken } = (await import(lite)) as { Tiktoken: new (ranks: unknown) => { encode(text: string): number[] } };
    const ranks = ((await import(ranksPath)) as { default: unknown }).default;
    const encoder = new Tiktoken(ranks);
    counter = { name, count: (text) => encoder.encode(text).length };
  }
  counter.count("warm up the first call");
  return { counter, loadMs: performance.now() - started };
}

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

const rows: string[] = [];
let reference: number[] | undefined;
for (const name of ["gpt-tokenizer", "js-tiktoken"]) {
  const loaded = await load(name).catch((error: unknown) => {
    rows.push(`| ${name} | not installed (${error instanceof Error ? error.message.split("\n")[0] : String(error)}) | | | | | | |`);
    return undefined;
  });
  if (loaded === undefined) continue;
  const { counter, loadMs } = loaded;
  const perPrompt: number[] = [];
  let tokens = 0;
  let characters = 0;
  const counts: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const prompt of prompts) {
      const started = performance.now();
      const count = counter.count(prompt);
      perPrompt.push((performance.now() - started) * 1000);
      if (round === 0) {
        counts.push(count);
        tokens += count;
        characters += prompt.length;
      }
    }
  }
  const totalMs = perPrompt.reduce((sum, value) => sum + value, 0) / 1000 / rounds;
  const agree = reference === undefined ? "—" : String(counts.every((count, index) => count === reference?.[index]));
  reference ??= counts;
  const estimate = prompts.reduce((sum, prompt) => sum + Math.ceil(prompt.length / 4), 0);
  rows.push(
    `| ${name} | ${loadMs.toFixed(0)} | ${quantile(perPrompt, 0.5).toFixed(1)} | ${quantile(perPrompt, 0.99).toFixed(1)} | ${((characters / totalMs) * 1000 / 1e6).toFixed(2)} | ${(tokens / characters).toFixed(3)} | ${(estimate / tokens).toFixed(3)} | ${agree} |`,
  );
}
console.log(`${prompts.length} prompts × ${rounds} rounds (examples/demo/routerbench-sample.jsonl), o200k_base, Node ${process.version}`);
console.log("| library | load + first call ms | median µs/prompt | p99 µs/prompt | M chars/s | tokens/char | (chars ÷ 4) / real | same counts |");
console.log("|---|---|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
