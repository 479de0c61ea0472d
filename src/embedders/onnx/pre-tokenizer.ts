import { SwitchyardError } from "../../core/errors.js";

/** A `tokenizer.json` pre-tokenizer: splits normalised text into words. */
export type PreTokenizer = (text: string) => string[];

const whitespacePattern = /\s/u;
const unicodePunctuation = /\p{P}/u;
const wordOrSymbols = /[\p{L}\p{N}\p{M}\p{Pc}\u200c\u200d]+|[^\p{L}\p{N}\p{M}\p{Pc}\u200c\u200d\s]+/gu;

/** BERT's punctuation: every ASCII punctuation character (incl. `$ + < = > ^ \` | ~`) and Unicode P*. */
export function isBertPunctuation(character: string): boolean {
  const codePoint = character.codePointAt(0)!;
  if ((codePoint >= 33 && codePoint <= 47) || (codePoint >= 58 && codePoint <= 64) || (codePoint >= 91 && codePoint <= 96) || (codePoint >= 123 && codePoint <= 126)) return true;
  return unicodePunctuation.test(character);
}

/** `BertPreTokenizer`: split on whitespace (dropped) and make every punctuation character its own word. */
function bertPreTokenize(text: string): string[] {
  const words: string[] = [];
  let current = "";
  for (const character of text) {
    if (whitespacePattern.test(character)) {
      if (current) words.push(current);
      current = "";
    } else if (isBertPunctuation(character)) {
      if (current) words.push(current);
      words.push(character);
      current = "";
    } else current += character;
  }
  if (current) words.push(current);
  return words;
}

/**
 * Builds the pre-tokenizer a `tokenizer.json` describes: `BertPreTokenizer`, `Whitespace`
 * (`\w+|[^\w\s]+`), `WhitespaceSplit` and `Sequence` of these; `null` keeps the text as one word.
 */
export function createPreTokenizer(config: unknown, where: string): PreTokenizer {
  if (config === null || config === undefined) return (text) => (text ? [text] : []);
  const type = typeof config === "object" ? (config as { type?: unknown }).type : config;
  switch (type) {
    case "BertPreTokenizer":
      return bertPreTokenize;
    case "Whitespace":
      return (text) => text.match(wordOrSymbols) ?? [];
    case "WhitespaceSplit":
      return (text) => text.split(/\s+/u).filter((word) => word.length > 0);
    case "Sequence": {
      const steps = (config as { pretokenizers?: unknown }).pretokenizers;
      if (!Array.isArray(steps)) throw unsupported(where, "Sequence without pretokenizers");
      const splitters = steps.map((step: unknown, index) => createPreTokenizer(step, `${where}.pretokenizers[${index}]`));
      return (text) => splitters.reduce<string[]>((words, split) => words.flatMap((word) => split(word)), [text]);
    }
    default:
      throw unsupported(where, String(type));
  }
}

function unsupported(where: string, type: string): SwitchyardError {
  return new SwitchyardError("invalid_config", `${where}: pre-tokenizer type ${type} is not supported (supported: BertPreTokenizer, Whitespace, WhitespaceSplit, Sequence)`);
}
