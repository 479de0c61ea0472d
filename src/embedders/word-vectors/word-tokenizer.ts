import { LETTER, sharedWordCharacterScanner } from "../word-characters.js";

/*
 * Words are what `/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*(?:['’][\p{L}]+)?/gu` matches in the lower-cased text
 * (words and hyphenated compounds such as "state-of-the-art", with an optional apostrophe suffix),
 * found without the regular expression (see visitWords).
 */
const exactWordPattern = /^[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*$/u;

/**
 * English contraction suffixes as GloVe's tokenizer (Stanford PTB style) split them off; the vector
 * table has no "'s" or "n't" entries, so they map to the full words (which SIF weights down anyway).
 */
const contractionWords: Readonly<Record<string, string | null>> = { s: null, re: "are", ve: "have", ll: "will", d: "would", m: "am" };

/** Receives the words of a text in order: most as ranges of the lower-cased text, contraction parts as strings. */
export interface WordVisitor {
  /** The word `text.slice(start, end)` (no substring is built). */
  range(text: string, start: number, end: number): void;
  /** A word built from a token with an apostrophe (a contraction's stem, expansion or suffix). */
  word(word: string): void;
}

/**
 * Visits the words {@link tokenizeWords} returns, in the same order, without building match objects or
 * (for words without an apostrophe) substrings. Tokens are what `wordPattern` matches in the lower-cased
 * text, found with {@link sharedWordCharacterScanner}: a letter/number run, then `-run` groups, then an
 * optional apostrophe followed by letters.
 */
export function visitWords(text: string, visitor: WordVisitor): void {
  const lower = text.toLowerCase();
  const words = sharedWordCharacterScanner();
  let start = 0;
  while (start < lower.length) {
    let end = words.runEnd(lower, start);
    if (end === start) {
      start += words.width;
      continue;
    }
    while (end < lower.length && lower.charCodeAt(end) === HYPHEN) {
      const groupEnd = words.runEnd(lower, end + 1);
      if (groupEnd === end + 1) break;
      end = groupEnd;
    }
    let apostrophe = -1;
    if (end < lower.length && (lower.charCodeAt(end) === APOSTROPHE || lower.charCodeAt(end) === RIGHT_QUOTE)) {
      const suffixEnd = words.runEnd(lower, end + 1, LETTER);
      if (suffixEnd > end + 1) {
        apostrophe = end;
        end = suffixEnd;
      }
    }
    if (apostrophe < 0) visitor.range(lower, start, end);
    else visitContraction(lower.slice(start, apostrophe), lower.slice(apostrophe + 1, end), visitor);
    start = end;
  }
}

const HYPHEN = 0x2d;
const APOSTROPHE = 0x27;
const RIGHT_QUOTE = 0x2019;

/** The words of a token with an apostrophe: split as GloVe's tokenizer did. */
function visitContraction(stem: string, suffix: string, visitor: WordVisitor): void {
  if (suffix === "t" && stem.endsWith("n") && stem.length > 1) {
    visitor.word(stem.slice(0, -1));
    visitor.word("not");
    return;
  }
  visitor.word(stem);
  // Own keys only: "x'constructor" once looked up Object.prototype.constructor and crashed the embedder.
  const expansion = Object.hasOwn(contractionWords, suffix) ? contractionWords[suffix] : undefined;
  if (expansion) visitor.word(expansion);
  else if (expansion === undefined) visitor.word(suffix);
}

/**
 * Splits text into the lowercase words a word-vector table is looked up with. Contractions are split as
 * GloVe's training text was ("don't" → "do", "not"; "can't" → "ca", "not"). Hyphenated compounds stay
 * whole here; {@link WordVectorTable} falls back to their parts when the compound is unknown.
 *
 * @example
 * tokenizeWords("The kitten didn't sleep on the rug."); // ["the", "kitten", "did", "not", "sleep", "on", "the", "rug"]
 */
export function tokenizeWords(text: string): string[] {
  const words: string[] = [];
  visitWords(text, { range: (lower, start, end) => words.push(lower.slice(start, end)), word: (word) => words.push(word) });
  return words;
}

/** True when `word` is one token the tokenizer can produce (so it is worth keeping in a vector table). */
export function isTokenizableWord(word: string): boolean {
  return exactWordPattern.test(word);
}
