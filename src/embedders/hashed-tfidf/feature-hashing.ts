/**
 * Feature hashing (Weinberger et al., 2009) of word unigrams, word bigrams and character n-grams
 * within word boundaries (like scikit-learn's `char_wb`). Hashes are FNV-1a over UTF-16 code units,
 * computed incrementally so no n-gram string is ever built.
 */
import { sharedWordCharacterScanner } from "../word-characters.js";

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Which n-grams to hash. */
export interface HashingOptions {
  /** Number of buckets (vector dimension). */
  dimension: number;
  /** Smallest and largest character n-gram length (0 disables character n-grams). */
  charNgramMin: number;
  charNgramMax: number;
  /** Hash word bigrams as well as unigrams. */
  wordBigrams: boolean;
  /** Weight of character n-gram counts relative to word counts. */
  charWeight: number;
}

function mix(hash: number, code: number): number {
  return Math.imul(hash ^ code, FNV_PRIME) >>> 0;
}

function finalise(hash: number): number {
  // murmur3 finaliser: spreads FNV's weak low bits before the modulo and the sign bit.
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Reusable accumulator for {@link hashFeatures}: a dense array of signed counts plus the list of buckets
 * touched, so hashing a prompt allocates nothing and resetting costs only what was touched.
 */
export class FeatureCounts {
  readonly counts: Float64Array;
  readonly touched: Uint32Array;
  private readonly seen: Uint8Array;
  size = 0;

  constructor(dimension: number) {
    this.counts = new Float64Array(dimension);
    this.seen = new Uint8Array(dimension);
    this.touched = new Uint32Array(dimension);
  }

  add(bucket: number, weight: number): void {
    if (this.seen[bucket] === 0) {
      this.seen[bucket] = 1;
      this.touched[this.size++] = bucket;
    }
    this.counts[bucket]! += weight;
  }

  /** Clears what the last text touched. */
  reset(): void {
    for (let i = 0; i < this.size; i++) {
      const bucket = this.touched[i]!;
      this.counts[bucket] = 0;
      this.seen[bucket] = 0;
    }
    this.size = 0;
  }
}

/**
 * Counts hashed features of `text` into `counts` (bucket → signed weight). The sign comes from a
 * separate hash bit so collisions cancel in expectation instead of adding up. Words are the runs
 * `/[\p{L}\p{N}]+/gu` matches in the lower-cased text, found by {@link sharedWordCharacterScanner} and hashed
 * in place (no match objects or substrings are built).
 */
export function hashFeatures(text: string, options: HashingOptions, counts: FeatureCounts): void {
  const { dimension, charNgramMin, charNgramMax, wordBigrams, charWeight } = options;
  const lower = text.toLowerCase();
  const scanner = sharedWordCharacterScanner();
  let previousWordHash = -1;
  let start = 0;
  while (start < lower.length) {
    const end = scanner.runEnd(lower, start);
    if (end === start) {
      start += scanner.width;
      continue;
    }
    let wordHash = mix(FNV_OFFSET, 0x77); // "w" namespace
    for (let i = start; i < end; i++) wordHash = mix(wordHash, lower.charCodeAt(i));
    addHashed(counts, wordHash, 1, dimension);
    if (wordBigrams && previousWordHash >= 0) addHashed(counts, mix(mix(previousWordHash, 0x20), wordHash), 1, dimension);
    previousWordHash = wordHash;
    if (charNgramMax > 0) {
      // Character n-grams of " word " (boundary spaces mark prefixes and suffixes).
      const paddedLength = end - start + 2;
      for (let from = 0; from < paddedLength; from++) {
        let hash = mix(FNV_OFFSET, 0x63); // "c" namespace
        for (let length = 1; length <= charNgramMax && from + length <= paddedLength; length++) {
          const position = from + length - 1;
          hash = mix(hash, position === 0 || position === paddedLength - 1 ? 0x20 : lower.charCodeAt(start + position - 1));
          if (length >= charNgramMin) addHashed(counts, mix(hash, length), charWeight, dimension);
        }
      }
    }
    start = end;
  }
}

function addHashed(counts: FeatureCounts, hash: number, weight: number, dimension: number): void {
  const h = finalise(hash);
  counts.add(h % dimension, h & 0x80000000 ? -weight : weight);
}

