import assert from "node:assert/strict";
import { test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { HashedTfidfEmbedder } from "../../src/embedders/hashed-tfidf/index.js";
import { sparseDot } from "../../src/embedders/sparse-vector.js";

const corpus = ["solve the equation x + 1 = 2", "what is the weather in Paris", "prove the theorem about primes", "recommend a movie for tonight"];

test("vectors are unit length and similar texts are closer than unrelated ones", () => {
  const embedder = HashedTfidfEmbedder.fit(corpus);
  const [a, b, c] = embedder.embedSparse(["solve the equation 2x = 4", "solve this equation for x", "recommend a good movie"]);
  const norm = Math.sqrt(sparseDot(a!, a!));
  assert.ok(Math.abs(norm - 1) < 1e-5, `norm ${norm}`);
  assert.ok(sparseDot(a!, b!) > sparseDot(a!, c!) + 0.1);
});

test("rare words weigh more than common ones (IDF)", () => {
  const embedder = HashedTfidfEmbedder.fit(["the cat", "the dog", "the bird", "the fish"], { charNgramMax: 0, wordBigrams: false });
  const [vector] = embedder.embedSparse(["the cat"]);
  const values = [...vector!.values].map(Math.abs).sort((x, y) => x - y);
  assert.equal(values.length, 2);
  assert.ok(values[1]! > values[0]! * 1.3, `values ${values}`);
});

test("empty text gives the zero vector; dense and sparse forms agree", async () => {
  const embedder = HashedTfidfEmbedder.fit(corpus, { dimension: 256 });
  const [empty] = embedder.embedSparse([""]);
  assert.equal(empty!.indices.length, 0);
  const [dense] = await embedder.embed(["solve the equation"]);
  const [sparse] = embedder.embedSparse(["solve the equation"]);
  assert.equal(dense!.length, 256);
  sparse!.indices.forEach((index, i) => assert.equal(dense![index], sparse!.values[i]));
  assert.ok(sparse!.indices.every((value, i, all) => i === 0 || all[i - 1]! < value), "indices ascend");
});

test("state round-trips to identical vectors", () => {
  const embedder = HashedTfidfEmbedder.fit(corpus);
  const copy = HashedTfidfEmbedder.fromState(JSON.parse(JSON.stringify(embedder.toState())));
  assert.deepEqual(copy.embedOneSparse("prove a theorem"), embedder.embedOneSparse("prove a theorem"));
});

test("bad options and corrupt state are clear errors", () => {
  assert.throws(() => HashedTfidfEmbedder.fit(corpus, { dimension: 3 }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /dimension/.test(error.message));
  assert.throws(() => HashedTfidfEmbedder.fit(corpus, { charNgramMin: 5, charNgramMax: 3 }), /charNgramMax/);
  assert.throws(() => HashedTfidfEmbedder.fromState({ kind: "hashed-tfidf", options: {}, documents: 1, idf: "AAAA" }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
});
