/** Lowercase words and hyphenated compounds ("state-of-the-art"), with an optional apostrophe suffix. */
const wordPattern = /[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*(?:['’][\p{L}]+)?/gu;
const exactWordPattern = /^[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*$/u;

/**
 * English contraction suffixes as GloVe's tokenizer (Stanford PTB style) split them off; the vector
 * table has no "'s" or "n't" entries, so they map to the full words (which SIF weights down anyway).
 */
const contractionWords: Readonly<Record<string, string | null>> = { s: null, re: "are", ve: "have", ll: "will", d: "would", m: "am" };

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
  for (const match of text.toLowerCase().matchAll(wordPattern)) {
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
    const expansion = contractionWords[suffix];
    if (expansion) words.push(expansion);
    else if (expansion === undefined) words.push(suffix);
  }
  return words;
}

/** True when `word` is one token the tokenizer can produce (so it is worth keeping in a vector table). */
export function isTokenizableWord(word: string): boolean {
  return exactWordPattern.test(word);
}
