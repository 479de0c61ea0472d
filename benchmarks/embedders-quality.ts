/**
 * How well each embedder groups similar prompts: k-nearest-neighbour (k = 10, cosine-weighted vote)
 * accuracy at predicting CLINC150 intents and dcrouter task names of held-out prompts, fitting every
 * embedder on the training side only. A proxy for what kNN-style routers get out of an embedder; it
 * is how the word-vectors defaults (SIF a, frequency source, principal-component removal) were chosen.
 *
 * Run: npx tsx benchmarks/embedders-quality.ts
 * Needs ../shared/data (guard/clinc150.json, dcrouter/dataset.jsonl).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Embedder } from "../src/embedders/embedder.js";
import { hashedTfidfEmbedderFactory } from "../src/embedders/hashed-tfidf/index.js";
import { isSparseEmbedder, type SparseVector } from "../src/embedders/sparse-vector.js";
import { createWordVectorsEmbedderFactory, type WordVectorsOptions } from "../src/embedders/word-vectors/index.js";

interface LabelledSet {
  name: string;
  train: { text: string; label: string }[];
  test: { text: string; label: string }[];
}

const dataDirectory = fileURLToPath(new URL("../../shared/data/", import.meta.url));

function loadSets(): LabelledSet[] {
  const clincPath = join(dataDirectory, "guard/clinc150.json");
  const dcrouterPath = join(dataDirectory, "dcrouter/dataset.jsonl");
  if (!existsSync(clincPath) || !existsSync(dcrouterPath)) throw new Error(`needs ${clincPath} and ${dcrouterPath}`);
  const clinc = JSON.parse(readFileSync(clincPath, "utf8")) as Record<string, [string, string][]>;
  const pairs = (rows: [string, string][]) => rows.map(([text, label]) => ({ text, label }));
  const dcrouter = readFileSync(dcrouterPath, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { prompt: string; task: string; split: string });
  return [
    { name: "clinc150 intent (5000 → 1500)", train: pairs(clinc.train!.filter((_, index) => index % 3 === 0)), test: pairs(clinc.test!.filter((_, index) => index % 3 === 0)) },
    {
      name: "dcrouter task (2804 → 381)",
      train: dcrouter.filter((row) => row.split === "train").filter((_, index) => index % 2 === 0).map((row) => ({ text: row.prompt, label: row.task })),
      test: dcrouter.filter((row) => row.split === "test").map((row) => ({ text: row.prompt, label: row.task })),
    },
  ];
}

/** Similarity rows: `rows(i)` gives test item i's cosine with every training item. */
type SimilarityRows = (testIndex: number) => Float32Array;

async function similarityRows(embedder: Embedder, set: LabelledSet): Promise<SimilarityRows> {
  const trainTexts = set.train.map((item) => item.text);
  const testTexts = set.test.map((item) => item.text);
  if (isSparseEmbedder(embedder)) {
    const train = embedder.embedSparse(trainTexts);
    const test = embedder.embedSparse(testTexts);
    const postings = new Map<number, { document: number; value: number }[]>();
    train.forEach((vector: SparseVector, document) => {
      vector.indices.forEach((index, position) => {
        let list = postings.get(index);
        if (!list) postings.set(index, (list = []));
        list.push({ document, value: vector.values[position]! });
      });
    });
    return (testIndex) => {
      const scores = new Float32Array(train.length);
      const query = test[testIndex]!;
      query.indices.forEach((index, position) => {
        for (const posting of postings.get(index) ?? []) scores[posting.document]! += posting.value * query.values[position]!;
      });
      return scores;
    };
  }
  const train = await embedder.embed(trainTexts);
  const test = await embedder.embed(testTexts);
  return (testIndex) => {
    const query = test[testIndex]!;
    return Float32Array.from(train, (vector) => {
      let sum = 0;
      for (let d = 0; d < query.length; d++) sum += query[d]! * vector[d]!;
      return sum;
    });
  };
}

/** Cosine of concatenated, weighted unit vectors: (Σ w² cosᵢ) / Σ w² (both parts non-zero). */
function combinedRows(parts: { rows: SimilarityRows; weight: number }[]): SimilarityRows {
  const total = parts.reduce((sum, part) => sum + part.weight ** 2, 0);
  return (testIndex) => {
    const mixed = new Float32Array(parts[0]!.rows(testIndex).length);
    for (const part of parts) {
      const row = part.rows(testIndex);
      for (let i = 0; i < row.length; i++) mixed[i]! += (part.weight ** 2 * row[i]!) / total;
    }
    return mixed;
  };
}

function knnAccuracy(rows: SimilarityRows, set: LabelledSet, k = 10): number {
  let correct = 0;
  for (let testIndex = 0; testIndex < set.test.length; testIndex++) {
    const scores = rows(testIndex);
    const top: number[] = [];
    for (let index = 0; index < scores.length; index++) {
      if (top.length < k || scores[index]! > scores[top[top.length - 1]!]!) {
        top.push(index);
        top.sort((a, b) => scores[b]! - scores[a]! || a - b);
        if (top.length > k) top.pop();
      }
    }
    const votes = new Map<string, number>();
    for (const index of top) votes.set(set.train[index]!.label, (votes.get(set.train[index]!.label) ?? 0) + scores[index]!);
    const predicted = [...votes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
    if (predicted === set.test[testIndex]!.label) correct++;
  }
  return correct / set.test.length;
}

const cacheDir = mkdtempSync(join(tmpdir(), "switchyard-quality-"));
try {
  const wordVectors = createWordVectorsEmbedderFactory({ cacheDir, log: () => {} });
  const variants: [string, WordVectorsOptions][] = [
    ["word-vectors (defaults: training p(w) a=1e-2, PC removed)", {}],
    ["word-vectors, training p(w) a=1e-3", { sifA: 1e-3 }],
    ["word-vectors, rank p(w) a=3e-3", { frequencies: "rank", sifA: 3e-3 }],
    ["word-vectors, rank p(w) a=1e-3", { frequencies: "rank", sifA: 1e-3 }],
    ["word-vectors, no PC removal", { removePrincipalComponent: false }],
    ["word-vectors, plain average", { frequencies: "rank", sifA: 1, removePrincipalComponent: false }],
    ["word-vectors, float32 table", { quantization: "float32" }],
  ];
  const sets = loadSets();
  const results = new Map<string, string[]>();
  const record = (name: string, accuracy: number) => results.set(name, [...(results.get(name) ?? []), accuracy.toFixed(3)]);
  for (const set of sets) {
    const trainTexts = set.train.map((item) => item.text);
    const tfidf = await similarityRows(await hashedTfidfEmbedderFactory.fit(trainTexts), set);
    record("hashed-tfidf (defaults)", knnAccuracy(tfidf, set));
    let defaultRows: SimilarityRows | undefined;
    for (const [name, options] of variants) {
      const rows = await similarityRows(await wordVectors.fit(trainTexts, options), set);
      defaultRows ??= rows;
      record(name, knnAccuracy(rows, set));
    }
    for (const weight of [0.7, 1]) {
      record(`combined hashed-tfidf 1 + word-vectors ${weight}`, knnAccuracy(combinedRows([{ rows: tfidf, weight: 1 }, { rows: defaultRows!, weight }]), set));
    }
  }
  console.log(`| embedder | ${sets.map((set) => set.name).join(" | ")} |`);
  console.log(`|---|${sets.map(() => "---").join("|")}|`);
  for (const [name, accuracies] of results) console.log(`| ${name} | ${accuracies.join(" | ")} |`);
  console.log("(kNN accuracy, k = 10, cosine-weighted vote; combined scores mix the parts' cosines by weight², exactly the cosine of the concatenated vectors)");
} finally {
  rmSync(cacheDir, { recursive: true, force: true });
}
