import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom, type Random } from "../../src/core/random.js";
import { DenseSimilarityIndex } from "../../src/routers/knn/similarity-index.js";

/** The plain one-row-at-a-time dot products the index must reproduce bit for bit. */
function referenceSimilarities(vectors: readonly Float32Array[], dimension: number, query: Float32Array): Float32Array {
  const out = new Float32Array(vectors.length);
  vectors.forEach((vector, i) => {
    let sum = 0;
    for (let d = 0; d < dimension; d++) sum += vector[d]! * query[d]!;
    out[i] = sum;
  });
  return out;
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  if (norm > 0) for (let d = 0; d < vector.length; d++) vector[d]! /= Math.sqrt(norm);
  return vector;
}

/** Dense random vectors, or `combined`-like ones: `sparseWidth` mostly-zero columns then `denseWidth` dense ones (or the other way round). */
function vectorsOf(random: Random, count: number, shape: { sparseWidth: number; denseWidth: number; nonZeros: number; denseFirst?: boolean }): Float32Array[] {
  const { sparseWidth, denseWidth, nonZeros } = shape;
  return Array.from({ length: count }, () => {
    const vector = new Float32Array(sparseWidth + denseWidth);
    const sparseOffset = shape.denseFirst ? denseWidth : 0;
    const denseOffset = shape.denseFirst ? 0 : sparseWidth;
    for (let p = 0; p < nonZeros; p++) vector[sparseOffset + Math.floor(random() * sparseWidth)] = random() - 0.3;
    // Some rows have no dense part (a prompt without a known word embeds to zeros there).
    if (random() > 0.05) for (let d = 0; d < denseWidth; d++) vector[denseOffset + d] = random() - 0.5;
    return unit(vector);
  });
}

function assertIdentical(vectors: Float32Array[], queries: Float32Array[], expectedLayout: "dense" | "hybrid"): void {
  const dimension = vectors[0]!.length;
  const index = new DenseSimilarityIndex(vectors, dimension);
  assert.equal(index.layout, expectedLayout);
  const out = new Float32Array(vectors.length);
  for (const query of queries) {
    index.similarities({ embedding: query }, out);
    const expected = referenceSimilarities(vectors, dimension, query);
    for (let i = 0; i < vectors.length; i++) assert.ok(Object.is(out[i], expected[i]) || out[i] === expected[i], `row ${i}: ${out[i]} ≠ ${expected[i]}`);
  }
}

test("dense layout: word-vector-like vectors give exactly the one-row-at-a-time dot products (row count not a multiple of 4)", () => {
  const random = createRandom(11);
  const vectors = vectorsOf(random, 203, { sparseWidth: 0, denseWidth: 100, nonZeros: 0 });
  assertIdentical(vectors, vectorsOf(random, 25, { sparseWidth: 0, denseWidth: 100, nonZeros: 0 }), "dense");
});

test("hybrid layout: sparse n-gram columns + a dense word-vector block give exactly the dense results", () => {
  const random = createRandom(12);
  const shape = { sparseWidth: 512, denseWidth: 24, nonZeros: 30 };
  const vectors = vectorsOf(random, 301, shape);
  // Queries that share some of the training rows' columns, and one all-zero query.
  const queries = [...vectorsOf(random, 20, shape), vectors[5]!, new Float32Array(536)];
  assertIdentical(vectors, queries, "hybrid");
});

test("hybrid layout also works with the dense block first, and with sparse columns on both sides of it", () => {
  const random = createRandom(13);
  const first = { sparseWidth: 400, denseWidth: 16, nonZeros: 20, denseFirst: true };
  assertIdentical(vectorsOf(random, 150, first), vectorsOf(random, 10, first), "hybrid");
  // Sparse | dense | sparse: build by concatenating two sparse halves around a dense middle.
  const left = vectorsOf(random, 120, { sparseWidth: 200, denseWidth: 0, nonZeros: 10 });
  const middle = vectorsOf(random, 120, { sparseWidth: 0, denseWidth: 12, nonZeros: 0 });
  const right = vectorsOf(random, 120, { sparseWidth: 200, denseWidth: 0, nonZeros: 10 });
  const rows = left.map((l, i) => unit(Float32Array.from([...l, ...middle[i]!, ...right[i]!])));
  assertIdentical(rows, rows.slice(0, 12), "hybrid");
});

test("mostly-non-zero vectors keep the dense layout; an empty index is fine", () => {
  const random = createRandom(14);
  const vectors = Array.from({ length: 50 }, () => unit(Float32Array.from({ length: 64 }, () => (random() < 0.6 ? random() - 0.5 : 0))));
  assertIdentical(vectors, vectors.slice(0, 5), "dense");
  const empty = new DenseSimilarityIndex([], 8);
  empty.similarities({ embedding: new Float32Array(8) }, new Float32Array(0));
  assert.equal(empty.size, 0);
});
