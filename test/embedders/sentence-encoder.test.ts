import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { embedderFactories } from "../../src/embedders/create-embedder.js";
import { EmbeddingCache, embeddingCacheKey } from "../../src/embedders/embedding-cache.js";
import { createSentenceEncoderEmbedderFactory, loadSentenceEncoder, sentenceEncoderModelId, type SentenceEncoderEmbedder } from "../../src/embedders/sentence-encoder/index.js";

const cacheDir = mkdtempSync(join(tmpdir(), "switchyard-sentence-encoder-"));
const factory = createSentenceEncoderEmbedderFactory({ cacheDir });
after(() => {
  factory.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

const dot = (a: Float32Array, b: Float32Array): number => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

describe("sentence-encoder embedder (Universal Sentence Encoder lite, from node_modules)", () => {
  test("is registered and gives 512-d unit vectors in which paraphrases are closer than unrelated texts", async () => {
    assert.ok(embedderFactories.has("sentence-encoder"));
    const embedder = await factory.fit([], { cache: false });
    const [capital, paris, killProcess, killNeighbour] = await embedder.embed([
      "What is the capital of France?",
      "Paris is the capital of which country?",
      "How do I kill a Python process?",
      "How do I terminate a running Python program?",
    ]);
    for (const vector of [capital!, paris!, killProcess!, killNeighbour!]) {
      assert.equal(vector.length, 512);
      assert.ok(Math.abs(dot(vector, vector) - 1) < 1e-5);
    }
    assert.ok(dot(capital!, paris!) > 0.6, `paraphrase similarity ${dot(capital!, paris!)}`);
    assert.ok(dot(killProcess!, killNeighbour!) > 0.5, `paraphrase similarity ${dot(killProcess!, killNeighbour!)}`);
    assert.ok(dot(capital!, killProcess!) < 0.3, `unrelated similarity ${dot(capital!, killProcess!)}`);
  });

  test("whitespace-only text embeds to zeros; batches give the same vectors as single texts", async () => {
    const embedder = await factory.fit([], { cache: false, batchSize: 2 });
    const texts = ["Solve for x: 3x + 5 = 20.", "   ", "Write a haiku about autumn.", "Translate 'good morning' into Spanish."];
    const batched = await embedder.embed(texts);
    assert.ok(batched[1]!.every((value) => value === 0));
    for (const index of [0, 2, 3]) {
      const [single] = await embedder.embed([texts[index]!]);
      assert.ok(single!.every((value, i) => Math.abs(value - batched[index]![i]!) < 1e-5), `text ${index}`);
    }
  });

  test("part final-question encodes only the prompt's last question; maxChars keeps the end of the text", async () => {
    const fewShot = "Q: What is 2 + 2?\nA: 4\n\nQ: What is 3 + 5?\nA: 8\n\nQ: What is the boiling point of water at sea level?\nA:";
    const question = await factory.fit([], { cache: false });
    const whole = await factory.fit([], { cache: false, part: "whole" });
    const [fromPrompt] = await question.embed([fewShot]);
    const [alone] = await question.embed([(question as SentenceEncoderEmbedder).encodedText(fewShot)]);
    const [wholeVector] = await whole.embed([fewShot]);
    assert.match((question as SentenceEncoderEmbedder).encodedText(fewShot), /boiling point/);
    assert.doesNotMatch((question as SentenceEncoderEmbedder).encodedText(fewShot), /3 \+ 5/);
    assert.deepEqual(fromPrompt, alone);
    assert.ok(dot(fromPrompt!, wholeVector!) < 0.999, "the whole prompt is a different text");

    const short = await factory.fit([], { cache: false, part: "whole", maxChars: 20 });
    const long = "Some long preamble that the encoder should never read. What is the capital of Peru?";
    assert.equal((short as SentenceEncoderEmbedder).encodedText(long), long.slice(-20));
    const [cut] = await short.embed([long]);
    const [end] = await whole.embed([long.slice(-20)]);
    assert.ok(cut!.every((value, i) => Math.abs(value - end![i]!) < 1e-6));
  });

  test("vectors are cached in SQLite by model version, settings and text, and read back from there", async () => {
    const embedder = await factory.fit([], {});
    const text = "Which planet is known as the red planet?";
    const [first] = await embedder.embed([text]);
    const cache = new EmbeddingCache(join(cacheDir, "sentence-embeddings.sqlite"));
    try {
      assert.equal(cache.size(), 1);
      // Overwrite the cached vector: the embedder must return what the cache holds, not re-encode.
      const { weightsVersion } = await loadSentenceEncoder();
      const model = `${sentenceEncoderModelId}@${weightsVersion}#final-question#1500`;
      const marker = new Float32Array(512);
      marker[7] = 1;
      cache.putMany(model, [{ key: embeddingCacheKey(model, text), vector: marker }], Date.now());
      const [second] = await embedder.embed([text]);
      assert.equal(second![7], 1);
      assert.notDeepEqual(second, first);
      // Other settings are other cache entries.
      const whole = await factory.fit([], { part: "whole", maxChars: 1000 });
      const [third] = await whole.embed([text]);
      assert.ok(Math.abs(dot(third!, first!) - 1) < 1e-5);
      assert.equal(cache.size(), 2);
    } finally {
      cache.close();
    }
  });

  test("state round-trips; bad options and states are errors that name the field", async () => {
    const embedder = await factory.fit([], { part: "whole", maxChars: 400, batchSize: 4, cache: false });
    const state = embedder.toState();
    assert.deepEqual(state, { kind: "sentence-encoder", version: 1, model: "universal-sentence-encoder-lite", part: "whole", maxChars: 400, batchSize: 4, cache: false, dimension: 512 });
    const rebuilt = await factory.fromState(state);
    const text = "Name three prime numbers greater than ten.";
    assert.deepEqual(await rebuilt.embed([text]), await embedder.embed([text]));

    await assert.rejects(factory.fit([], { part: "middle" }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && /option part/.test(error.message));
    await assert.rejects(factory.fit([], { maxChars: 3 }), (error: unknown) => error instanceof SwitchyardError && /option maxChars/.test(error.message));
    await assert.rejects(factory.fit([], { modelDir: "/models" }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config");
    await assert.rejects(factory.fromState({ ...state, model: "other-model" }), (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact" && /state model/.test(error.message));
  });
});
