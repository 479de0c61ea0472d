/**
 * Word-vector cache: build time, load time and resident memory, and embedding throughput of the
 * word-vectors embedder. Each phase runs in a fresh Node process so memory figures are not polluted
 * by the previous phase.
 *
 * Run: npx tsx benchmarks/embedders-load.ts [--vocabulary 50000] [--sentences 5000] [--json-parse]
 *   --json-parse also measures the naive alternative (JSON.parse of the whole package file).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createWordVectorsEmbedderFactory, resolveWordVectorSource } from "../src/embedders/word-vectors/index.js";

const { values } = parseArgs({
  options: {
    phase: { type: "string" },
    cache: { type: "string" },
    quantization: { type: "string", default: "int8" },
    vocabulary: { type: "string", default: "50000" },
    sentences: { type: "string", default: "5000" },
    "json-parse": { type: "boolean", default: false },
  },
});
const vocabularySize = Number(values.vocabulary);
const quantization = values.quantization === "float32" ? "float32" : "int8";
const megabytes = (bytes: number) => bytes / 1024 / 1024;

/** Prompts to embed: the dcrouter prompts when the shared data is there, else generated sentences. */
function samplePrompts(count: number): string[] {
  const path = fileURLToPath(new URL("../../shared/data/dcrouter/dataset.jsonl", import.meta.url));
  if (existsSync(path)) {
    const prompts = readFileSync(path, "utf8").trim().split("\n").map((line) => (JSON.parse(line) as { prompt: string }).prompt);
    return Array.from({ length: count }, (_, index) => prompts[index % prompts.length]!);
  }
  const words = ["the", "model", "answers", "a", "question", "about", "python", "code", "and", "math", "history", "of", "rome", "quickly"];
  return Array.from({ length: count }, (_, index) => Array.from({ length: 40 }, (_, position) => words[(index * 7 + position * 3) % words.length]).join(" "));
}

async function runPhase(phase: string): Promise<Record<string, number>> {
  const cacheDir = values.cache!;
  const factory = createWordVectorsEmbedderFactory({ cacheDir, log: () => {} });
  if (phase === "build") {
    const started = performance.now();
    const loaded = factory.loadTable({ vocabularySize, quantization });
    return { buildMs: performance.now() - started, built: loaded.built ? 1 : 0, fileMb: megabytes(statSync(loaded.path).size), maxRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  if (phase === "load") {
    const before = process.memoryUsage();
    const started = performance.now();
    const loaded = factory.loadTable({ vocabularySize, quantization });
    const loadMs = performance.now() - started;
    const after = process.memoryUsage();
    return { loadMs, built: loaded.built ? 1 : 0, rssBeforeMb: megabytes(before.rss), rssAfterMb: megabytes(after.rss), rssDeltaMb: megabytes(after.rss - before.rss) };
  }
  if (phase === "throughput") {
    const prompts = samplePrompts(Number(values.sentences));
    const fitStarted = performance.now();
    const embedder = await factory.fit(prompts.slice(0, 2000), { vocabularySize, quantization });
    const fitMs = performance.now() - fitStarted;
    const started = performance.now();
    for (let start = 0; start < prompts.length; start += 256) await embedder.embed(prompts.slice(start, start + 256));
    const seconds = (performance.now() - started) / 1000;
    const characters = prompts.reduce((sum, prompt) => sum + prompt.length, 0);
    return { fitMs, sentencesPerSecond: prompts.length / seconds, meanCharacters: characters / prompts.length };
  }
  if (phase === "json-parse") {
    const started = performance.now();
    const parsed = JSON.parse(readFileSync(resolveWordVectorSource().jsonPath, "utf8")) as { words: string[] };
    return { parseMs: performance.now() - started, words: parsed.words.length, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  throw new Error(`unknown phase ${phase}`);
}

function child(phase: string, cacheDir: string, quantizationOption: string): Record<string, number> {
  const output = execFileSync(
    process.execPath,
    ["--import", "tsx", fileURLToPath(import.meta.url), "--phase", phase, "--cache", cacheDir, "--quantization", quantizationOption, "--vocabulary", String(vocabularySize), "--sentences", values.sentences!],
    { encoding: "utf8" },
  );
  return JSON.parse(output.trim().split("\n").at(-1)!) as Record<string, number>;
}

if (values.phase) {
  process.stdout.write(`${JSON.stringify(await runPhase(values.phase))}\n`);
} else {
  const format = (value: number | undefined, digits = 1) => (value === undefined ? "" : value.toFixed(digits));
  console.log(`word-vectors: top ${vocabularySize} words of ${resolveWordVectorSource().sourceId}, Node ${process.version}`);
  console.log("| quantization | cache file MB | build ms | build peak RSS MB | load ms | RSS before load MB | RSS after load MB | load RSS delta MB | fit ms (2000 prompts) | sentences/s |");
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const variant of ["int8", "float32"]) {
    const cacheDir = mkdtempSync(join(tmpdir(), "switchyard-bench-"));
    try {
      const build = child("build", cacheDir, variant);
      const load = child("load", cacheDir, variant);
      const loadAgain = child("load", cacheDir, variant);
      const throughput = child("throughput", cacheDir, variant);
      const loadMs = Math.min(load.loadMs!, loadAgain.loadMs!);
      console.log(
        `| ${variant} | ${format(build.fileMb)} | ${format(build.buildMs, 0)} | ${format(build.maxRssMb, 0)} | ${format(loadMs)} | ${format(loadAgain.rssBeforeMb)} | ${format(loadAgain.rssAfterMb)} | ${format(loadAgain.rssDeltaMb)} | ${format(throughput.fitMs, 0)} | ${format(throughput.sentencesPerSecond, 0)} |`,
      );
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }
  console.log(`(sentences: ${values.sentences} dcrouter prompts when ../shared/data is present; load ms is the faster of two cold-process loads)`);
  if (values["json-parse"]) {
    const parsed = child("json-parse", tmpdir(), "int8");
    console.log(`naive JSON.parse of the whole package file: ${format(parsed.parseMs, 0)} ms, peak RSS ${format(parsed.maxRssMb, 0)} MB`);
  }
}
