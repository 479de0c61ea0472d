import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, appendFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { SwitchyardError } from "../../src/core/errors.js";
import { createOnnxEmbedderFactory, onnxEmbedderFactory, WordPieceTokenizer } from "../../src/embedders/onnx/index.js";
import { tinyTokenizerJson, tinyVocabulary, writeTinyOnnxModel, type TinyOnnxModel } from "./helpers/tiny-onnx-model.js";

const root = mkdtempSync(join(tmpdir(), "switchyard-onnx-"));
after(() => rmSync(root, { recursive: true, force: true }));

let counter = 0;
function modelDirectory(options: Parameters<typeof writeTinyOnnxModel>[1] = {}): TinyOnnxModel {
  const directory = join(root, `model-${counter++}`);
  mkdirSync(directory);
  return writeTinyOnnxModel(directory, options);
}

const idOf = (token: string): number => {
  const id = (tinyVocabulary as readonly string[]).indexOf(token);
  assert.ok(id >= 0, token);
  return id;
};

/** The expected sentence vector, computed by hand: mean (or first) of the token rows, L2-normalised. */
function expectedVector(model: TinyOnnxModel, tokens: readonly string[], pooling: "mean" | "cls" = "mean"): number[] {
  const rows = tokens.map((token) => {
    const base = Array.from(model.tokenEmbeddings[idOf(token)]!);
    return model.typeEmbedding ? base.map((value, d) => Math.fround(value + model.typeEmbedding![d]!)) : base;
  });
  const used = pooling === "cls" ? rows.slice(0, 1) : rows;
  const mean = Array.from({ length: model.dimension }, (_, d) => used.reduce((sum, row) => sum + row[d]!, 0) / used.length);
  const norm = Math.sqrt(mean.reduce((sum, value) => sum + value * value, 0));
  return mean.map((value) => value / norm);
}

function assertClose(actual: Float32Array, expected: readonly number[], tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) < tolerance, `component ${i}: ${actual[i]} vs ${expected[i]}`);
}

function isConfigError(pattern: RegExp) {
  return (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_config" && pattern.test(error.message);
}

describe("ONNX embedder on a generated model", () => {
  test("mean-pools the model's token vectors over the attention mask (input_ids, attention_mask, token_type_ids as int64)", async () => {
    const model = modelDirectory({ tokenTypeIds: true });
    const embedder = await onnxEmbedderFactory.fit([], { modelDir: model.directory });
    assert.equal(embedder.kind, "onnx");
    assert.equal(embedder.dimension, 4);
    const [sentence, words] = await embedder.embed(["The cat sat on the mat!", "Dogs playing"]);
    assertClose(sentence!, expectedVector(model, ["[CLS]", "the", "cat", "sat", "on", "the", "mat", "!", "[SEP]"]));
    assertClose(words!, expectedVector(model, ["[CLS]", "dog", "##s", "play", "##ing", "[SEP]"]));
  });

  test("padding in a batch does not change a vector; order and batch size do not matter; blank text is zeros", async () => {
    const model = modelDirectory({ tokenTypeIds: true });
    const texts = ["the cat", "the dog sat on the mat , unbelievable !", "", "run", "cafe dogs", "   "];
    const small = await onnxEmbedderFactory.fit([], { modelDir: model.directory, batchSize: 2 });
    const large = await onnxEmbedderFactory.fit([], { modelDir: model.directory, batchSize: 64 });
    const batched = await small.embed(texts);
    assert.deepEqual(await large.embed(texts), batched);
    for (const [index, text] of texts.entries()) {
      if (text.trim() === "") assert.ok(batched[index]!.every((value) => value === 0));
      else assert.deepEqual((await large.embed([text]))[0], batched[index]);
    }
    assertClose(batched[3]!, expectedVector(model, ["[CLS]", "run", "[SEP]"]));
  });

  test("CLS pooling when 1_Pooling/config.json asks for it; model.onnx at the top level; token_embeddings output", async () => {
    const model = modelDirectory({ clsPooling: true, modelFile: "model.onnx", outputName: "token_embeddings" });
    const embedder = await onnxEmbedderFactory.fit([], { path: model.directory });
    assert.equal(embedder.toState().pooling, "cls", "`path` (from --embedder onnx:DIR) names the model directory");
    assert.equal(embedder.toState().modelFile, "model.onnx");
    const [vector] = await embedder.embed(["cat on mat"]);
    assertClose(vector!, expectedVector(model, ["[CLS]"], "cls"));
    const mean = await onnxEmbedderFactory.fit([], { modelDir: model.directory, pooling: "mean" });
    assertClose((await mean.embed(["cat on mat"]))[0]!, expectedVector(model, ["[CLS]", "cat", "on", "mat", "[SEP]"]));
  });

  test("truncates to the tokenizer's max length, keeping [CLS] and [SEP]", async () => {
    const model = modelDirectory({ maxLength: 5 });
    const embedder = await onnxEmbedderFactory.fit([], { modelDir: model.directory });
    assert.equal(embedder.toState().maxLength, 5);
    const [vector] = await embedder.embed(["the cat sat on the mat"]);
    assertClose(vector!, expectedVector(model, ["[CLS]", "the", "cat", "sat", "[SEP]"]));
    const longer = await onnxEmbedderFactory.fit([], { modelDir: model.directory, maxLength: 6 });
    assertClose((await longer.embed(["the cat sat on the mat"]))[0]!, expectedVector(model, ["[CLS]", "the", "cat", "sat", "on", "[SEP]"]));
  });

  test("state is small JSON and rebuilds the same embedder; changed model files are refused", async () => {
    const model = modelDirectory({ tokenTypeIds: true });
    const embedder = await onnxEmbedderFactory.fit([], { modelDir: model.directory });
    const json = JSON.stringify(embedder.toState());
    assert.ok(json.length < 1000);
    const restored = await createOnnxEmbedderFactory().fromState(JSON.parse(json));
    const texts = ["the cat sat", "unbelievable dogs"];
    assert.deepEqual(await restored.embed(texts), await embedder.embed(texts));

    const moved = join(root, `moved-${counter++}`);
    renameSync(model.directory, moved);
    await assert.rejects(createOnnxEmbedderFactory().fromState(JSON.parse(json)), isConfigError(/does not exist/));
    const relocated = await createOnnxEmbedderFactory({ modelDir: moved }).fromState(JSON.parse(json));
    assert.deepEqual(await relocated.embed(texts), await embedder.embed(texts));

    appendFileSync(join(moved, "tokenizer.json"), " ");
    await assert.rejects(
      createOnnxEmbedderFactory({ modelDir: moved }).fromState(JSON.parse(json)),
      (error: unknown) => error instanceof SwitchyardError && error.code === "invalid_artifact" && /sha256/.test(error.message),
    );
  });

  test("a missing directory or file is an invalid_config error saying what is missing and how to supply it", async () => {
    const missing = join(root, "no-such-model");
    await assert.rejects(onnxEmbedderFactory.fit([], { modelDir: missing }), isConfigError(/does not exist.*all-MiniLM-L6-v2.*tokenizer\.json.*onnx\/model\.onnx.*--embedder onnx:/));
    const empty = join(root, `empty-${counter++}`);
    mkdirSync(empty);
    await assert.rejects(onnxEmbedderFactory.fit([], { modelDir: empty }), isConfigError(/has no tokenizer\.json and no model\.onnx or onnx\/model\.onnx/));
    writeFileSync(join(empty, "tokenizer.json"), JSON.stringify(tinyTokenizerJson(8)));
    await assert.rejects(onnxEmbedderFactory.fit([], { modelDir: empty }), isConfigError(/has no model\.onnx or onnx\/model\.onnx; download/));
    writeFileSync(join(empty, "model.onnx"), "not a model");
    await assert.rejects(onnxEmbedderFactory.fit([], { modelDir: empty }), isConfigError(/ONNX Runtime cannot load/));
    await assert.rejects(onnxEmbedderFactory.fit([], {}), isConfigError(/modelDir/));
    await assert.rejects(onnxEmbedderFactory.fit([], { modelDir: empty, pooling: "max" }), isConfigError(/pooling/));
  });
});

describe("WordPiece tokenizer", () => {
  const tokenizer = WordPieceTokenizer.fromJson(tinyTokenizerJson(16));

  test("lowercases, strips accents, isolates punctuation and splits words into ## pieces", () => {
    assert.deepEqual(tokenizer.tokens("Unbelievable PLAYING, dogs!"), ["un", "##believ", "##able", "play", "##ing", ",", "dog", "##s", "!"]);
    assert.deepEqual(tokenizer.tokens("Café\tcat\u00a0\u200bmat"), ["cafe", "cat", "mat"]);
    assert.deepEqual(tokenizer.tokens("cats xyz catz"), ["cat", "##s", "[UNK]", "[UNK]"]);
    assert.deepEqual(tokenizer.tokens("the [MASK] sat"), ["the", "[MASK]", "sat"]);
    assert.deepEqual(tokenizer.tokens("猫cat"), ["[UNK]", "cat"]);
    assert.deepEqual(tokenizer.tokens(`${"a".repeat(101)} cat`), ["[UNK]", "cat"]);
  });

  test("encode adds [CLS]/[SEP] and truncates the text, not the special tokens", () => {
    assert.deepEqual(tokenizer.encode("the cat", 16), { ids: [2, idOf("the"), idOf("cat"), 3], typeIds: [0, 0, 0, 0] });
    assert.deepEqual(tokenizer.encode("the cat sat on", 4).ids, [2, idOf("the"), idOf("cat"), 3]);
    assert.deepEqual(tokenizer.encode("", 4).ids, [2, 3]);
  });

  test("agrees with Hugging Face's tokenizers.js on tricky input", async () => {
    const { Tokenizer } = await import("@huggingface/tokenizers");
    const reference = new Tokenizer(tinyTokenizerJson(512), {});
    const inputs = [
      "The cat sat on the mat!",
      "UNBELIEVABLE playing,dogs!!",
      "Café — the cat's mat (unbelievable)",
      "  leading and trailing  ",
      "tabs\tand\nnewlines\r\nhere",
      "naïve résumé Ünbelievable",
      "猫 sat 的 mat",
      "[CLS] the [SEP] cat [MASK]",
      "emoji 🐈 cat",
      "symbols $cat+dog=run^mat|the~on`sat",
      "",
    ];
    for (const input of inputs) {
      assert.deepEqual(tokenizer.encode(input, 512).ids, reference.encode(input).ids, JSON.stringify(input));
    }
  });

  test("a non-WordPiece tokenizer.json is refused with a clear message", () => {
    assert.throws(() => WordPieceTokenizer.fromJson({ model: { type: "BPE", vocab: {} } }, "x/tokenizer.json"), isConfigError(/x\/tokenizer\.json: model type BPE is not supported/));
    assert.throws(() => WordPieceTokenizer.fromJson({ ...tinyTokenizerJson(8), normalizer: { type: "Precompiled" } }), isConfigError(/normalizer type Precompiled/));
  });
});
