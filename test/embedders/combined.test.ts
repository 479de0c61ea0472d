import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { createCombinedEmbedderFactory } from "../../src/embedders/combined/index.js";
import type { Embedder, EmbedderFactory, EmbedderState } from "../../src/embedders/embedder.js";
import { hashedTfidfEmbedderFactory } from "../../src/embedders/hashed-tfidf/index.js";
import { createWordVectorsEmbedderFactory } from "../../src/embedders/word-vectors/index.js";

/** A toy embedder: a fixed unit vector per text length parity, zeros for empty text; `scale` is its fitted "state". */
function toyFactory(kind: string, dimension: number): EmbedderFactory {
  const make = (scale: number): Embedder => ({
    kind,
    dimension,
    async embed(texts) {
      return texts.map((text) => {
        const vector = new Float32Array(dimension);
        if (text === "") return vector;
        vector[text.length % dimension] = scale >= 0 ? 1 : -1;
        return vector;
      });
    },
    toState: (): EmbedderState => ({ kind, scale }),
  });
  return { kind, fit: async (texts) => make(texts.length), fromState: async (state) => make(state.scale as number) };
}

const toys = new Map([toyFactory("toy-a", 2), toyFactory("toy-b", 3)].map((factory) => [factory.kind, factory]));
const combined = createCombinedEmbedderFactory((kind) => toys.get(kind));

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

describe("combined embedder", () => {
  test("concatenates weighted parts and renormalises", async () => {
    const embedder = await combined.fit(["x"], { parts: [{ kind: "toy-a", weight: 1 }, { kind: "toy-b", weight: 0.5 }] });
    assert.equal(embedder.kind, "combined");
    assert.equal(embedder.dimension, 5);
    const [vector] = await embedder.embed(["abc"]);
    const norm = Math.sqrt(1 + 0.25);
    // "abc": toy-a component 3 % 2 = 1, toy-b component 3 % 3 = 0.
    assert.deepEqual(Array.from(vector!), [0, 1 / norm, 0.5 / norm, 0, 0].map(Math.fround));
  });

  test("the combined cosine is the weight²-weighted mix of the parts' cosines; a zero part drops out", async () => {
    const weightA = 1;
    const weightB = 0.7;
    const embedder = await combined.fit([], { parts: [{ kind: "toy-a", weight: weightA }, { kind: "toy-b", weight: weightB }] });
    // "ab" and "abcd": same toy-a slot (cos 1), different toy-b slots (cos 0).
    const [first, second] = await embedder.embed(["ab", "abcd"]);
    const expected = (weightA ** 2 * 1 + weightB ** 2 * 0) / (weightA ** 2 + weightB ** 2);
    assert.ok(Math.abs(dot(first!, second!) - expected) < 1e-6);
    const [empty] = await embedder.embed([""]);
    assert.ok(empty!.every((value) => value === 0));
  });

  test("state holds the parts' states and rebuilds through the resolver", async () => {
    const embedder = await combined.fit(["a", "b", "c"], { parts: [{ kind: "toy-a" }, { kind: "toy-b", weight: 2, options: { ignored: true } }] });
    const state = JSON.parse(JSON.stringify(embedder.toState())) as EmbedderState;
    assert.deepEqual(state, { kind: "combined", version: 1, parts: [{ weight: 1, state: { kind: "toy-a", scale: 3 } }, { weight: 2, state: { kind: "toy-b", scale: 3 } }] });
    const restored = await combined.fromState(state);
    assert.deepEqual(await restored.embed(["hello", "hi"]), await embedder.embed(["hello", "hi"]));
  });

  test("unknown, nested or missing parts are invalid_config naming the field", async () => {
    const isConfig = (pattern: RegExp) => (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && pattern.test(error.message);
    await assert.rejects(combined.fit([], { parts: [{ kind: "toy-a" }, { kind: "nope" }] }), isConfig(/parts\.1\.kind: unknown embedder kind nope/));
    await assert.rejects(combined.fit([], { parts: [{ kind: "combined" }] }), isConfig(/cannot contain another combined/));
    await assert.rejects(combined.fit([], { parts: [] }), isConfig(/parts/));
    await assert.rejects(combined.fit([], {}), isConfig(/parts/));
    await assert.rejects(combined.fit([], { parts: [{ kind: "toy-a", weight: 0 }] }), isConfig(/parts\.0\.weight/));
    await assert.rejects(
      combined.fromState({ kind: "combined", version: 1, parts: [{ weight: 1, state: { kind: "gone" } }] }),
      isConfig(/parts\.0\.state\.kind: unknown embedder kind gone/),
    );
  });
});

describe("combined hashed-tfidf + word-vectors (the real parts)", () => {
  const cacheDir = mkdtempSync(join(tmpdir(), "switchyard-combined-"));
  after(() => rmSync(cacheDir, { recursive: true, force: true }));
  const wordVectors = createWordVectorsEmbedderFactory({ cacheDir, log: () => {} });
  const registry = new Map<string, EmbedderFactory>([
    [hashedTfidfEmbedderFactory.kind, hashedTfidfEmbedderFactory],
    [wordVectors.kind, wordVectors],
  ]);
  const real = createCombinedEmbedderFactory((kind) => registry.get(kind));

  test("fits, embeds unit vectors, and rebuilds from JSON state", async () => {
    const training = ["The cat rested on the carpet.", "The kitten slept on the rug.", "Stock markets fell sharply.", "Write a sorting function in Python."];
    const options = { parts: [{ kind: "hashed-tfidf", weight: 1, options: { dimension: 1024 } }, { kind: "word-vectors", weight: 0.7, options: { vocabularySize: 5000 } }] };
    const embedder = await real.fit(training, options);
    assert.equal(embedder.dimension, 1024 + 100);
    const vectors = await embedder.embed(training);
    for (const vector of vectors) assert.ok(Math.abs(Math.sqrt(dot(vector, vector)) - 1) < 1e-5);
    assert.ok(dot(vectors[0]!, vectors[1]!) > dot(vectors[0]!, vectors[2]!));
    const state = JSON.parse(JSON.stringify(embedder.toState())) as EmbedderState;
    const restored = await real.fromState(state);
    assert.deepEqual(await restored.embed(training), vectors);
  });
});
