/** How a table stores its vectors. */
export type WordVectorQuantization = "int8" | "float32";

/** The parts a {@link WordVectorTable} is made of — exactly what the binary cache stores, so loading builds nothing. */
export interface WordVectorTableParts {
  dimensions: number;
  /** Words of the whole source vocabulary (for the rank-based frequency estimate). */
  sourceVocabularySize: number;
  /** All words joined by "\n", most frequent first. */
  wordText: string;
  /** `count + 1` offsets: word `row` is `wordText.slice(wordOffsets[row], wordOffsets[row + 1] - 1)`. */
  wordOffsets: Uint32Array;
  /** Open-addressing hash index (power-of-two size): slot → row + 1, 0 = empty; FNV-1a over UTF-16 units, linear probing. */
  hashSlots: Uint32Array;
  /** Each word's rank in the source's frequency order (0 = most frequent). */
  ranks: Uint32Array;
  quantization: WordVectorQuantization;
  /** int8: `count × dimensions` codes, value = code × scale; float32: the values. */
  values: Int8Array | Float32Array;
  /** int8 only: one scale per word. */
  scales?: Float32Array;
}

/** FNV-1a (32-bit) over a string's UTF-16 code units. */
export function hashWord(word: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) {
    hash ^= word.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * An in-memory word → vector table (GloVe-style vectors, not normalised), optionally int8-quantised
 * with one scale per vector (symmetric: code = round(value / (max|value| / 127))). Its word index is
 * a precomputed hash table, so a table loads from the cache file without building a `Map`.
 */
export class WordVectorTable {
  readonly dimensions: number;
  readonly sourceVocabularySize: number;
  readonly ranks: Uint32Array;
  readonly quantization: WordVectorQuantization;
  private readonly stored: WordVectorTableParts;

  constructor(parts: WordVectorTableParts) {
    this.stored = parts;
    this.dimensions = parts.dimensions;
    this.sourceVocabularySize = parts.sourceVocabularySize;
    this.ranks = parts.ranks;
    this.quantization = parts.quantization;
  }

  /** Builds a table from words and float vectors (row-major), quantising when asked. */
  static fromWords(
    words: readonly string[],
    vectors: Float32Array,
    options: { dimensions: number; sourceVocabularySize: number; ranks: Uint32Array; quantization: WordVectorQuantization },
  ): WordVectorTable {
    const { dimensions } = options;
    const count = words.length;
    const wordOffsets = new Uint32Array(count + 1);
    let offset = 0;
    words.forEach((word, row) => {
      wordOffsets[row] = offset;
      offset += word.length + 1;
    });
    wordOffsets[count] = offset;
    let slotCount = 1;
    while (slotCount < count * 2) slotCount *= 2;
    const hashSlots = new Uint32Array(slotCount);
    words.forEach((word, row) => {
      let slot = hashWord(word) & (slotCount - 1);
      while (hashSlots[slot] !== 0) slot = (slot + 1) & (slotCount - 1);
      hashSlots[slot] = row + 1;
    });
    const base = { ...options, wordText: words.join("\n") + "\n", wordOffsets, hashSlots };
    if (options.quantization === "float32") return new WordVectorTable({ ...base, values: vectors });
    const codes = new Int8Array(count * dimensions);
    const scales = new Float32Array(count);
    for (let row = 0; row < count; row++) {
      let largest = 0;
      for (let d = 0; d < dimensions; d++) largest = Math.max(largest, Math.abs(vectors[row * dimensions + d]!));
      const scale = largest > 0 ? largest / 127 : 1;
      scales[row] = scale;
      for (let d = 0; d < dimensions; d++) codes[row * dimensions + d] = Math.round(vectors[row * dimensions + d]! / scale);
    }
    return new WordVectorTable({ ...base, values: codes, scales });
  }

  get size(): number {
    return this.stored.wordOffsets.length - 1;
  }

  /** The word of a row. */
  word(row: number): string {
    return this.stored.wordText.slice(this.stored.wordOffsets[row]!, this.stored.wordOffsets[row + 1]! - 1);
  }

  /** Row of `word`, or -1 when the table does not have it. */
  rowOfWord(word: string): number {
    return this.rowOfRange(word, 0, word.length);
  }

  /** Row of the word `text.slice(start, end)`, or -1 (looked up in place: no substring is built). */
  rowOfRange(text: string, start: number, end: number): number {
    const { hashSlots, wordOffsets, wordText } = this.stored;
    const mask = hashSlots.length - 1;
    const length = end - start;
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) {
      hash ^= text.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193);
    }
    for (let slot = (hash >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const entry = hashSlots[slot]!;
      if (entry === 0) return -1;
      const row = entry - 1;
      const offset = wordOffsets[row]!;
      if (wordOffsets[row + 1]! - 1 - offset !== length) continue;
      let same = true;
      for (let i = 0; i < length && same; i++) same = wordText.charCodeAt(offset + i) === text.charCodeAt(start + i);
      if (same) return row;
    }
  }

  /** Adds `weight × vector(row)` to `target`. */
  addScaledRow(target: Float64Array, row: number, weight: number): void {
    const { values, scales } = this.stored;
    const offset = row * this.dimensions;
    const factor = scales ? weight * scales[row]! : weight;
    for (let d = 0; d < this.dimensions; d++) target[d]! += factor * values[offset + d]!;
  }

  /** The (dequantised) vector of one row, for tests and diagnostics. */
  rowVector(row: number): Float32Array {
    const vector = new Float64Array(this.dimensions);
    this.addScaledRow(vector, row, 1);
    return Float32Array.from(vector);
  }

  /** The stored parts (for writing the cache). */
  parts(): WordVectorTableParts {
    return this.stored;
  }
}
