import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../src/core/random.js";
import { FeatureCounts, hashFeatures, type HashingOptions } from "../../src/embedders/hashed-tfidf/index.js";
import { tokenizeWords } from "../../src/embedders/word-vectors/index.js";
import { WordVectorTable } from "../../src/embedders/word-vectors/word-vector-table.js";
import { rowsOfText } from "../../src/embedders/word-vectors/word-vectors-embedder.js";

// The regular-expression implementations the scanner-based tokenizers replaced; they must agree exactly.

const referenceWordPattern = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*(?:['’][\p{L}]+)?/gu;
const contractions: Readonly<Record<string, string | null>> = { s: null, re: "are", ve: "have", ll: "will", d: "would", m: "am" };

function referenceTokenize(text: string): string[] {
  const words: string[] = [];
  for (const match of text.toLowerCase().matchAll(referenceWordPattern)) {
    const token = match[0];
    const apostrophe = token.search(/['’]/u);
    if (apostrophe < 0) {
      words.push(token);
      continue;
    }
    const stem = token.slice(0, apostrophe);
    const suffix = token.slice(apostrophe + 1);
    if (suffix === "t" && stem.endsWith("n") && stem.length > 1) {
      words.push(stem.slice(0, -1), "not");
      continue;
    }
    words.push(stem);
    // (The original indexed the object directly, so "x'constructor" crashed; both now read own keys only.)
    const expansion = Object.hasOwn(contractions, suffix) ? contractions[suffix] : undefined;
    if (expansion) words.push(expansion);
    else if (expansion === undefined) words.push(suffix);
  }
  return words;
}

const FNV_OFFSET = 0x811c9dc5;
const mix = (hash: number, code: number): number => Math.imul(hash ^ code, 0x01000193) >>> 0;
function finalise(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function referenceHash(text: string, options: HashingOptions): Map<number, number> {
  const counts = new Map<number, number>();
  const add = (hash: number, weight: number): void => {
    const h = finalise(hash);
    const bucket = h % options.dimension;
    counts.set(bucket, (counts.get(bucket) ?? 0) + (h & 0x80000000 ? -weight : weight));
  };
  let previous = -1;
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    let wordHash = mix(FNV_OFFSET, 0x77);
    for (let i = 0; i < word.length; i++) wordHash = mix(wordHash, word.charCodeAt(i));
    add(wordHash, 1);
    if (options.wordBigrams && previous >= 0) add(mix(mix(previous, 0x20), wordHash), 1);
    previous = wordHash;
    const padded = ` ${word} `;
    for (let start = 0; start < padded.length; start++) {
      let hash = mix(FNV_OFFSET, 0x63);
      for (let length = 1; length <= options.charNgramMax && start + length <= padded.length; length++) {
        hash = mix(hash, padded.charCodeAt(start + length - 1));
        if (length >= options.charNgramMin) add(mix(hash, length), options.charWeight);
      }
    }
  }
  return counts;
}

/** Hand-picked edge cases plus random strings over an alphabet rich in boundaries, scripts and surrogates. */
function texts(): string[] {
  const fixed = [
    "",
    "The kitten didn't sleep on the rug.",
    "state-of-the-art, co--op, -lead, trail-, x-1-y'z, it's, can't, n't, they’re, we'll, I'd, I'm, rock'n'roll",
    "word's'extra 'quoted' it'2 o'", 
    "ÀÉÎ İstanbul ǅemal ΣΊΣΥΦΟΣ straße ﬁne",
    "数学の問題 ١٢٣ ४५६ Ⅻ ½ ²",
    "𝐀𝐁𝐂 math 𝟙𝟚 emoji 😀👍🏽 mixed𝐀x",
    "lone \ud800 high, lone \udc00 low, pair \ud835\udc00 ok, reversed \udc00\ud800",
    "combining e\u0301 n\u0303o tab\tnew\nline\r\n",
    "a constructor's toString'valueOf __proto__'s x'constructor",
  ];
  const alphabet = ["a", "B", "z", "0", "9", "-", "'", "’", " ", ".", "é", "İ", "ß", "\u0301", "日", "١", "Ⅻ", "\ud835\udc00", "\ud83d\ude00", "\ud800", "\udc00", "_", "n", "t", "s"];
  const random = createRandom(5);
  const generated = Array.from({ length: 400 }, () => Array.from({ length: Math.floor(random() * 40) }, () => alphabet[Math.floor(random() * alphabet.length)]!).join(""));
  return [...fixed, ...generated];
}

test("tokenizeWords gives exactly the regular expression's words", () => {
  for (const text of texts()) assert.deepEqual(tokenizeWords(text), referenceTokenize(text), JSON.stringify(text));
});

test("hashFeatures counts exactly what the regular-expression word split counts", () => {
  const options: HashingOptions = { dimension: 257, charNgramMin: 2, charNgramMax: 4, wordBigrams: true, charWeight: 0.5 };
  const counts = new FeatureCounts(options.dimension);
  for (const text of texts()) {
    counts.reset();
    hashFeatures(text, options, counts);
    const expected = referenceHash(text, options);
    const actual = new Map<number, number>();
    for (let i = 0; i < counts.size; i++) actual.set(counts.touched[i]!, counts.counts[counts.touched[i]!]!);
    assert.deepEqual([...actual].sort((a, b) => a[0] - b[0]), [...expected].sort((a, b) => a[0] - b[0]), JSON.stringify(text));
  }
});

test("rowsOfText looks words up in place exactly as by whole-word lookup, compounds falling back to their parts", () => {
  const words = ["the", "kitten", "did", "not", "state", "of", "art", "co", "op", "x", "1", "y", "z", "are", "will", "é", "日", "𝐀", "state-of-the-art", "ﬁne", "constructor"];
  const table = WordVectorTable.fromWords(words, new Float32Array(words.length * 2), { dimensions: 2, sourceVocabularySize: words.length, ranks: Uint32Array.from(words, (_, i) => i), quantization: "float32" });
  for (const text of texts()) {
    const expected: number[] = [];
    for (const word of referenceTokenize(text)) {
      const row = words.indexOf(word);
      if (row >= 0) expected.push(row);
      else if (word.includes("-")) for (const part of word.split("-")) if (words.includes(part)) expected.push(words.indexOf(part));
    }
    assert.deepEqual(rowsOfText(table, text), expected, JSON.stringify(text));
  }
});
