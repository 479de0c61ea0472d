import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import type { RoutingExample } from "../../src/data/routing-example.js";
import { knnRouterTrainer } from "../../src/routers/knn/index.js";
import { fitIvfLayout, IvfSimilarityIndex } from "../../src/routers/knn/ivf-similarity-index.js";
import { NeighbourSearch } from "../../src/routers/knn/neighbour-search.js";
import { DenseSimilarityIndex } from "../../src/routers/knn/similarity-index.js";
import type { TrainingSet } from "../../src/routers/router-trainer.js";
import type { RouteInput, RouterState } from "../../src/routers/router.js";

/** `count` unit vectors around `clusters` random centres (Gaussian spread), seeded. */
function clusteredVectors(count: number, clusters: number, dimension: number, seed: number): Float32Array[] {
  const random = createRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dimension }, gaussian));
  return Array.from({ length: count }, (_, i) => {
    const centre = centres[i % clusters]!;
    const vector = Float32Array.from(centre, (value) => value + 0.6 * gaussian());
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  });
}

const dimension = 16;
const vectors = clusteredVectors(4_000, 40, dimension, 1);
const queries = clusteredVectors(200, 40, dimension, 1).map((vector, i) => vector.map((value, d) => value + 0.05 * Math.sin(i + d)));

test("IVF recall@10 against exact search is high on clustered vectors, and found similarities are exact", () => {
  const exact = new NeighbourSearch(new DenseSimilarityIndex(vectors, dimension));
  const layout = fitIvfLayout(vectors, dimension, { random: createRandom(3) });
  assert.equal(layout.lists, 63);
  const approximate = new NeighbourSearch(new IvfSimilarityIndex(vectors, dimension, layout));
  let hits = 0;
  for (const embedding of queries) {
    const truth = exact.neighbours({ embedding }, 10);
    const found = approximate.neighbours({ embedding }, 10);
    const bySimilarity = new Map<number, number>();
    for (let r = 0; r < truth.count; r++) bySimilarity.set(truth.indices[r]!, truth.similarities[r]!);
    for (let r = 0; r < found.count; r++) {
      const index = found.indices[r]!;
      if (bySimilarity.has(index)) {
        hits++;
        assert.equal(found.similarities[r], bySimilarity.get(index), "a neighbour found by both has the same (exact) similarity");
      }
    }
  }
  const recall = hits / (10 * queries.length);
  assert.ok(recall >= 0.9, `recall@10 ${recall}`);
  // Probing one list finds fewer: the test can tell a good index from a bad one.
  const narrow = new NeighbourSearch(new IvfSimilarityIndex(vectors, dimension, { ...layout, probe: 1 }));
  let narrowHits = 0;
  for (const embedding of queries) {
    const truth = new Set(exact.neighbours({ embedding }, 10).indices);
    for (const index of narrow.neighbours({ embedding }, 10).indices) if (truth.has(index)) narrowHits++;
  }
  assert.ok(narrowHits < hits, `probe 1 (${narrowHits}) must find fewer than probe ${layout.probe} (${hits})`);
  // Every list probed is an exact search.
  const all = new NeighbourSearch(new IvfSimilarityIndex(vectors, dimension, { ...layout, probe: layout.lists }));
  for (const embedding of queries.slice(0, 20)) assert.deepEqual([...all.neighbours({ embedding }, 10).indices].sort(), [...exact.neighbours({ embedding }, 10).indices].sort());
});

function trainingSet(count: number): TrainingSet {
  const embeddings = clusteredVectors(count, 20, dimension, 5);
  const examples = embeddings.map((_, i) => ({ id: `p${i}`, prompt: `prompt ${i}`, task: "t", outcomes: { a: { score: i % 20 < 10 ? 1 : 0, costUsd: 0.001 }, b: { score: i % 20 < 10 ? 0 : 1, costUsd: 0.002 } } }) as unknown as RoutingExample);
  return { examples, embeddings, promptTokens: embeddings.map(() => 10), models: ["a", "b"] };
}

test("knn with index: ivf saves its layout, and the state round-trips to identical predictions", () => {
  const data = trainingSet(1_200);
  const router = knnRouterTrainer.train(data, { seed: 1, params: { k: 10, power: 1, priorWeight: 1, index: "ivf" } });
  const state = router.toState() as { ivf?: { lists: number; probe: number } };
  assert.ok(state.ivf, "the state carries the IVF layout");
  assert.equal(state.ivf.lists, Math.round(Math.sqrt(1_200)));
  // The lists are stored as laid out (no dense rows in training order); the restored index holds every row exactly.
  assert.equal((state as { dense?: unknown }).dense, undefined);
  const restored = knnRouterTrainer.fromState(JSON.parse(JSON.stringify(state)));
  const restoredIndex = (restored as unknown as { index: IvfSimilarityIndex }).index;
  assert.ok(restoredIndex instanceof IvfSimilarityIndex);
  assert.deepEqual(restoredIndex.trainingRows(), Float32Array.from(data.embeddings.flatMap((vector) => [...vector])));
  assert.deepEqual(restoredIndex.layout.assignment, (router as unknown as { index: IvfSimilarityIndex }).index.layout.assignment);
  // An artifact written before the lists were stored (rows in `dense`, each row's list in `assignment`) still loads.
  const layout = restoredIndex.layout;
  const older = { ...state, dense: Buffer.from(restoredIndex.trainingRows().buffer).toString("base64"), ivf: { lists: layout.lists, probe: layout.probe, centroids: Buffer.from(layout.centroids.buffer, layout.centroids.byteOffset, layout.centroids.byteLength).toString("base64"), assignment: Buffer.from(layout.assignment.buffer).toString("base64") } };
  const fromOlder = knnRouterTrainer.fromState(older as unknown as RouterState);
  for (const embedding of queries.slice(0, 30)) {
    const input = { embedding, promptTokens: 10 } as unknown as RouteInput;
    assert.deepEqual([...restored.predictQuality(input)], [...router.predictQuality(input)]);
    assert.deepEqual([...fromOlder.predictQuality(input)], [...router.predictQuality(input)]);
  }
  // The clusters' scores are learned through the approximate search too.
  const input = { embedding: data.embeddings[3]!, promptTokens: 10 } as unknown as RouteInput;
  const [a, b] = router.predictQuality(input);
  assert.ok(a! > b!, `cluster 3 is model a's (${a} vs ${b})`);
});

test("knn index auto stays exact on small sets; a corrupt IVF layout is an invalid_artifact error", () => {
  const data = trainingSet(300);
  const exact = knnRouterTrainer.train(data, { seed: 1, params: { k: 5, power: 1, priorWeight: 1 } });
  assert.equal((exact.toState() as { ivf?: unknown }).ivf, undefined);
  const ivf = knnRouterTrainer.train(data, { seed: 1, params: { k: 5, power: 1, priorWeight: 1, index: "ivf" } }).toState() as RouterState & { ivf: { centroids: string; rowIds: string; listStart: string } };
  const invalid = (pattern: RegExp) => (error: Error & { code?: string }) => error.code === "invalid_artifact" && pattern.test(error.message);
  assert.throws(() => knnRouterTrainer.fromState({ ...ivf, ivf: { ...ivf.ivf, centroids: Buffer.alloc(8).toString("base64") } }), invalid(/ivf\.centroids/));
  // A row listed twice (and another missing), or list starts that do not fit the block.
  const rowIds = new Int32Array(Uint8Array.from(Buffer.from(ivf.ivf.rowIds, "base64")).buffer);
  const first = rowIds.findIndex((id) => id >= 0);
  const second = rowIds.findIndex((id, row) => id >= 0 && row > first);
  rowIds[second] = rowIds[first]!;
  assert.throws(() => knnRouterTrainer.fromState({ ...ivf, ivf: { ...ivf.ivf, rowIds: Buffer.from(rowIds.buffer).toString("base64") } }), invalid(/rowIds do not hold every training prompt once/));
  assert.throws(() => knnRouterTrainer.fromState({ ...ivf, ivf: { ...ivf.ivf, listStart: Buffer.alloc(8).toString("base64") } }), invalid(/listStart/));
  const { rowIds: _dropped, ...withoutRows } = ivf.ivf;
  assert.throws(() => knnRouterTrainer.fromState({ ...ivf, ivf: withoutRows }), invalid(/ivf\.block needs ivf\.rowIds/));
});
