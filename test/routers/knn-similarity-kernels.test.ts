import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom, type Random } from "../../src/core/random.js";
import type { SparseVector } from "../../src/embedders/sparse-vector.js";
import { HashedTfidfEmbedder } from "../../src/embedders/hashed-tfidf/index.js";
import { questionView } from "../../src/routers/ensemble/member-view.js";
import { topK } from "../../src/routers/knn/knn-router.js";
import { NeighbourSearch } from "../../src/routers/knn/neighbour-search.js";
import { DenseSimilarityIndex, SparseSimilarityIndex } from "../../src/routers/knn/similarity-index.js";
import { topKByHeap } from "../../src/routers/knn/top-k-heap.js";

/** The straightforward dense similarity: one row at a time, float64 sum in ascending d, one rounding to float32. */
function referenceDense(vectors: readonly Float32Array[], query: Float32Array): Float32Array {
  return Float32Array.from(vectors, (vector) => {
    let sum = 0;
    for (let d = 0; d < vector.length; d++) sum += vector[d]! * query[d]!;
    return sum;
  });
}

/** The straightforward sparse similarity: per training vector, its terms shared with the query in ascending order, each sum rounded to float32. */
function referenceSparse(vectors: readonly SparseVector[], query: SparseVector): Float32Array {
  return Float32Array.from(vectors, (vector) => {
    let sum = 0;
    for (let j = 0; j < query.indices.length; j++) {
      const at = vector.indices.indexOf(query.indices[j]!);
      if (at >= 0) sum = Math.fround(sum + query.values[j]! * vector.values[at]!);
    }
    return sum;
  });
}

function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.equal(actual.length, expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const b = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) assert.equal(a[i], b[i], `${what}: row ${i}: ${actual[i]} ≠ ${expected[i]}`);
}

function denseVectors(random: Random, count: number, width: number): Float32Array[] {
  return Array.from({ length: count }, () => Float32Array.from({ length: width }, () => (random() < 0.05 ? 0 : random() * 2 - 1)));
}

function sparseVectors(random: Random, count: number, dimension: number, nonZeros: number): SparseVector[] {
  return Array.from({ length: count }, () => {
    const indices = [...new Set(Array.from({ length: nonZeros }, () => Math.floor(random() * dimension)))].sort((a, b) => a - b);
    return { indices: Uint32Array.from(indices), values: Float32Array.from(indices, () => random() * 2 - 1) };
  });
}

test("dense index: the WebAssembly and JavaScript scans give the one-row-at-a-time dot products bit for bit", () => {
  const random = createRandom(21);
  for (const [count, width] of [[203, 100], [5, 7], [4, 1], [1, 3], [64, 33]] as const) {
    const vectors = denseVectors(random, count, width);
    const wasm = new DenseSimilarityIndex(vectors, width, { kernel: "wasm" });
    const javascript = new DenseSimilarityIndex(vectors, width, { kernel: "javascript" });
    assert.equal(wasm.kernel, "wasm", "Node 20 has WebAssembly SIMD");
    assert.equal(javascript.kernel, "javascript");
    assert.ok(wasm.sameVectors(javascript) && javascript.sameVectors(wasm));
    for (const query of [...denseVectors(random, 6, width), vectors[count - 1]!, new Float32Array(width)]) {
      const expected = referenceDense(vectors, query);
      for (const index of [wasm, javascript]) {
        const out = new Float32Array(count).fill(Number.NaN);
        index.similarities({ embedding: query }, out);
        assertSameBits(out, expected, `${index.kernel} ${count}×${width}`);
      }
    }
  }
});

test("sparse index: the WebAssembly and JavaScript accumulations give the per-vector float32 sums bit for bit", () => {
  const random = createRandom(22);
  const dimension = 300;
  const vectors = sparseVectors(random, 157, dimension, 40);
  const wasm = new SparseSimilarityIndex(vectors, dimension, { kernel: "wasm" });
  const javascript = new SparseSimilarityIndex(vectors, dimension, { kernel: "javascript" });
  assert.equal(wasm.kernel, "wasm");
  assert.ok(wasm.sameVectors(javascript));
  const queries = [...sparseVectors(random, 8, dimension, 60), vectors[3]!, { indices: new Uint32Array(0), values: new Float32Array(0) }];
  for (const query of queries) {
    const expected = referenceSparse(vectors, query);
    for (const index of [wasm, javascript]) {
      const out = new Float32Array(vectors.length).fill(Number.NaN);
      index.similarities({ embedding: new Float32Array(0), sparseEmbedding: query }, out);
      assertSameBits(out, expected, index.kernel);
    }
  }
});

test("top-k with a reused heap returns exactly topK, also after a larger and a smaller k", () => {
  const random = createRandom(23);
  const scratch = { heapValue: new Float32Array(0), heapIndex: new Int32Array(0) };
  for (const k of [5, 50, 3, 50, 200]) {
    const values = Float32Array.from({ length: 400 }, () => Math.round(random() * 20) / 20);
    if (scratch.heapValue.length < k) scratch.heapValue = new Float32Array(k);
    if (scratch.heapIndex.length < k) scratch.heapIndex = new Int32Array(k);
    const expected = topK(values, k);
    const actual = topKByHeap(values, k, -1, scratch);
    assert.deepEqual(Array.from(actual.indices), Array.from(expected.indices));
    assert.deepEqual(Array.from(actual.similarities), Array.from(expected.similarities));
  }
});

test("the question view embeds lazily: a sparse search never builds the dense vector, and the dense one is the densified sparse one", () => {
  const texts = ["How do I sort a list in Python?", "What is the capital of France?", "Sort numbers in Rust", "French cooking basics"];
  const embedder = HashedTfidfEmbedder.fit(texts, { dimension: 256 });
  const vectors = embedder.embedSparse(texts);
  const search = new NeighbourSearch(new SparseSimilarityIndex(vectors, embedder.dimension));
  const view = questionView(embedder);
  const input = view({ text: "sorting a Python list", embedding: new Float32Array(3), promptTokens: 5 });
  let denseReads = 0;
  const counted = Object.create(input, { embedding: { get: () => (denseReads++, input.embedding) } }) as typeof input;
  const first = search.neighbours(counted, 2);
  const again = search.neighbours(counted, 2);
  assert.equal(denseReads, 0);
  assert.equal(again, first, "the remembered search is reused for the same query");
  const sparse = embedder.embedOneSparse("sorting a Python list");
  assert.deepEqual(Array.from(input.sparseEmbedding!.indices), Array.from(sparse.indices));
  const dense = input.embedding;
  assert.equal(input.embedding, dense, "built once");
  assert.deepEqual(Array.from(dense), Array.from(densified(sparse, embedder.dimension)));
  assert.equal(input.text, "sorting a Python list");
  assert.equal(input.promptTokens, 5);
});

function densified(vector: SparseVector, dimension: number): Float32Array {
  const dense = new Float32Array(dimension);
  vector.indices.forEach((index, j) => (dense[index] = vector.values[j]!));
  return dense;
}
