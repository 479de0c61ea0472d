/**
 * kNN decision and load cost for real-size artifacts (issue 19), in-process, in CPU time (steadier than
 * wall time on a shared machine): load (read, parse, version hash, engine) three times, then dcrouter's
 * test prompts × 3 passes through `engine.decide` after 400 warm-up decisions, CPU p50/p99 per decision.
 * `--recall` (dense artifacts): recall@k of the IVF index against exact search for several probes, with
 * CPU per query. `--prune` (sparse artifacts): recall@k when the query's most frequent buckets are skipped
 * and the best 200 candidates re-ranked exactly (is there a cheap approximation for hashed TF-IDF?).
 *
 *   npx tsx benchmarks/knn-index-speed.ts --router dcrouter|replicated-100000|replicated-300000|replicated-1000000|replicated-5608 [--binary] [--recall] [--prune] [--probe N] [--fresh]
 *   (RSS after GC: node --expose-gc --import tsx benchmarks/knn-index-speed.ts …)
 *
 * `--binary` converts the cached artifact to the binary form first and loads that. Artifacts come from
 * routing-bench-artifacts.ts (trained on first use, cached outside the repository).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadRouterArtifact, saveRouterArtifact } from "../src/artifacts/router-artifact.js";
import { createRoutingEngine } from "../src/core/create-routing-engine.js";
import { createRandom } from "../src/core/random.js";
import { embedderFromState } from "../src/embedders/create-embedder.js";
import { isSparseEmbedder } from "../src/embedders/sparse-vector.js";
import { fitIvfLayout, IvfSimilarityIndex } from "../src/routers/knn/ivf-similarity-index.js";
import { NeighbourSearch } from "../src/routers/knn/neighbour-search.js";
import { DenseSimilarityIndex } from "../src/routers/knn/similarity-index.js";
import { loadVersionedArtifact } from "../src/rollout/versioned-artifact.js";
import { knnRouterTrainer } from "../src/routers/knn/index.js";
import { float32FromBase64, uint32FromBase64, type EncodedArray } from "../src/util/base64-arrays.js";
import { dcrouterKnnArtifact, dcrouterTargets, dcrouterTestPrompts, scaledKnnArtifact } from "./routing-bench-artifacts.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({ options: { router: { type: "string", default: "dcrouter" }, binary: { type: "boolean", default: false }, recall: { type: "boolean", default: false }, prune: { type: "boolean", default: false }, probe: { type: "string" }, fresh: { type: "boolean", default: false } } });
const log = (line: string) => process.stderr.write(`${line}\n`);
const replicated = /^replicated-(\d+)$/.exec(values.router);
// `--fresh` retrains (and re-caches) the artifact; its log line gives the training's wall and CPU time.
let path = replicated ? await scaledKnnArtifact({ root, count: Number(replicated[1]), log, fresh: values.fresh }) : await dcrouterKnnArtifact({ root, log, fresh: values.fresh });
if (values.binary && !path.endsWith(".bin")) {
  const binaryPath = path.replace(/\.json$/, ".bin");
  await saveRouterArtifact(binaryPath, await loadRouterArtifact(path));
  path = binaryPath;
}
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const quantile = (list: number[], q: number) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(q * list.length))]!;
const targets = (await dcrouterTargets(root)).map((target) => ({ ...target, contextWindow: 128_000 }));
const prompts = await dcrouterTestPrompts(root);

const loads: number[] = [];
let engine: Awaited<ReturnType<typeof createRoutingEngine>> | undefined;
for (let run = 0; run < 3; run++) {
  const started = cpuMs();
  const loaded = await loadVersionedArtifact(path);
  // `--probe N`: serve with N lists probed instead of the stored probe (what `ivfProbe: N` at training gives).
  const ivf = (loaded.artifact.router as { ivf?: { probe: number } }).ivf;
  if (values.probe && ivf) ivf.probe = Number(values.probe);
  engine = await createRoutingEngine({ artifact: loaded.artifact, artifactVersion: loaded.version, targets });
  loads.push(cpuMs() - started);
}
// With `node --expose-gc`: collect first, so RSS is what the loaded engine keeps (not the loads' garbage).
const collect = (globalThis as { gc?: () => void }).gc;
for (let round = 0; collect && round < 3; round++) {
  collect();
  await new Promise((done) => setTimeout(done, 50));
}
const peakRssMb = () => {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return line ? (Number(line[1]) / 1e3).toFixed(0) : "?";
};
console.log(`${path}: load ${quantile(loads, 0.5).toFixed(0)} ms CPU (median of 3; bar ≤ 1,000 ms), RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB${collect ? " after GC" : ""}, peak RSS ${peakRssMb()} MB (VmHWM, 3 loads)`);
for (let i = 0; i < 400; i++) await engine!.decide({ messages: [{ role: "user", content: prompts[i % prompts.length]! }] });
const perDecision: number[] = [];
for (let pass = 0; pass < 3; pass++) {
  for (const prompt of prompts) {
    const before = process.cpuUsage();
    await engine!.decide({ messages: [{ role: "user", content: prompt }] });
    const used = process.cpuUsage(before);
    perDecision.push((used.user + used.system) / 1000);
  }
}
console.log(`decisions: ${perDecision.length}, CPU ms p50 ${quantile(perDecision, 0.5).toFixed(3)}, p99 ${quantile(perDecision, 0.99).toFixed(3)} (bar: p99 ≤ 1 ms at 100k, ≤ 2 ms at 1M)`);

const artifact = await loadRouterArtifact(path);
const state = artifact.router as unknown as { count: number; dimension: number; params: { k: number }; dense?: EncodedArray; ivf?: unknown; sparse?: { offsets: string; indices: string; values: string } };
const embedder = await embedderFromState(artifact.embedder);
if (values.recall && (state.dense || state.ivf)) {
  const k = 20;
  // An IVF artifact stores its lists, not the rows in training order: rebuild them from the index.
  const storedIndex = state.dense ? undefined : (knnRouterTrainer.fromState(artifact.router) as unknown as { index: IvfSimilarityIndex }).index;
  const dense = storedIndex ? storedIndex.trainingRows() : float32FromBase64(state.dense!);
  const vectors = Array.from({ length: state.count }, (_, i) => dense.subarray(i * state.dimension, (i + 1) * state.dimension));
  const queries = await embedder.embed(prompts);
  const exact = new NeighbourSearch(new DenseSimilarityIndex(vectors, state.dimension));
  const truth = queries.map((embedding) => new Set(exact.neighbours({ embedding }, k).indices));
  let started = cpuMs();
  for (const embedding of queries) exact.neighbours({ embedding: Float32Array.from(embedding) }, k);
  console.log(`exact: ${((cpuMs() - started) / queries.length).toFixed(3)} ms CPU/query`);
  started = cpuMs();
  // The artifact's own layout when it stores one (the index that serves), else a fresh one.
  const layout = storedIndex ? storedIndex.layout : fitIvfLayout(vectors, state.dimension, { random: createRandom(61) });
  console.log(`${storedIndex ? "stored IVF layout" : `IVF build ${(cpuMs() - started).toFixed(0)} ms CPU`}, ${layout.lists} lists, stored/default probe ${layout.probe}`);
  console.log("| probe | recall@20 | CPU ms/query | rows scanned at most |\n|---|---|---|---|");
  for (const probe of [4, 8, 12, 16, 24, 32, 48]) {
    const index = new IvfSimilarityIndex(vectors, state.dimension, { ...layout, probe: Math.min(probe, layout.lists) });
    const search = new NeighbourSearch(index);
    let hits = 0;
    queries.forEach((embedding, i) => {
      for (const found of search.neighbours({ embedding }, k).indices) if (truth[i]!.has(found)) hits++;
    });
    started = cpuMs();
    for (let pass = 0; pass < 3; pass++) for (const embedding of queries) search.neighbours({ embedding: Float32Array.from(embedding) }, k);
    console.log(`| ${probe} | ${(hits / (k * queries.length)).toFixed(4)} | ${((cpuMs() - started) / queries.length / 3).toFixed(3)} | ${index.maxCandidates} |`);
  }
}
if (values.prune && state.sparse && isSparseEmbedder(embedder)) {
  const offsets = uint32FromBase64(state.sparse.offsets);
  const indices = uint32FromBase64(state.sparse.indices);
  const weights = float32FromBase64(state.sparse.values);
  const n = state.count;
  const k = state.params.k;
  const documentFrequency = new Uint32Array(state.dimension);
  for (const term of indices) documentFrequency[term]!++;
  const start = new Uint32Array(state.dimension + 1);
  for (let t = 0; t < state.dimension; t++) start[t + 1] = start[t]! + documentFrequency[t]!;
  const cursor = start.slice(0, state.dimension);
  const postingDocument = new Uint32Array(indices.length);
  const postingValue = new Float32Array(indices.length);
  for (let i = 0; i < n; i++) {
    for (let p = offsets[i]!; p < offsets[i + 1]!; p++) {
      const slot = cursor[indices[p]!]!++;
      postingDocument[slot] = i;
      postingValue[slot] = weights[p]!;
    }
  }
  const queries = embedder.embedSparse(prompts);
  const top = (scores: Float64Array, count: number) => [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, count);
  console.log(`sparse: ${n} rows, ${indices.length} postings, k ${k}`);
  for (const share of [1, 0.2, 0.1, 0.05]) {
    let hits = 0;
    let scanned = 0;
    let full = 0;
    for (const query of queries) {
      const exact = new Float64Array(n);
      const partial = new Float64Array(n);
      for (let j = 0; j < query.indices.length; j++) {
        const term = query.indices[j]!;
        full += documentFrequency[term]!;
        const keep = documentFrequency[term]! <= share * n;
        if (keep) scanned += documentFrequency[term]!;
        for (let p = start[term]!; p < start[term + 1]!; p++) {
          exact[postingDocument[p]!]! += query.values[j]! * postingValue[p]!;
          if (keep) partial[postingDocument[p]!]! += query.values[j]! * postingValue[p]!;
        }
      }
      const reranked = new Float64Array(n).fill(-1);
      for (const candidate of top(partial, 200)) reranked[candidate] = exact[candidate]!;
      const truth = new Set(top(exact, k));
      for (const found of top(reranked, k)) if (truth.has(found)) hits++;
    }
    console.log(`buckets with df ≤ ${share}·n, exact re-rank of 200: recall@${k} ${(hits / (k * queries.length)).toFixed(3)}, postings scanned ${((100 * scanned) / full).toFixed(1)} % (${(full / queries.length).toFixed(0)} per query in full)`);
  }
}
