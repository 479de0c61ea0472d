import { SwitchyardError } from "../../core/errors.js";

/** A `tokenizer.json` normalizer turned into a function. */
export type TextNormalizer = (text: string) => string;

const controlPattern = /\p{C}/u;
const whitespacePattern = /\s/u;
const nonSpacingMarks = /\p{Mn}/gu;

/** True for the CJK ideographs BERT surrounds with spaces (the ranges of Google's `_is_chinese_char`). */
export function isCjkIdeograph(codePoint: number): boolean {
  return (
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) ||
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) ||
    (codePoint >= 0x20000 && codePoint <= 0x2a6df) ||
    (codePoint >= 0x2a700 && codePoint <= 0x2b73f) ||
    (codePoint >= 0x2b740 && codePoint <= 0x2b81f) ||
    (codePoint >= 0x2b820 && codePoint <= 0x2ceaf) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0x2f800 && codePoint <= 0x2fa1f)
  );
}

/** BERT's `clean_text`: drop NUL, U+FFFD and control/format characters; every whitespace becomes a space. */
function cleanText(text: string): string {
  let out = "";
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    if (character === "\t" || character === "\n" || character === "\r") out += " ";
    else if (codePoint === 0 || codePoint === 0xfffd || controlPattern.test(character)) continue;
    else out += whitespacePattern.test(character) ? " " : character;
  }
  return out;
}

function spaceCjk(text: string): string {
  let out = "";
  for (const character of text) out += isCjkIdeograph(character.codePointAt(0)!) ? ` ${character} ` : character;
  return out;
}

function stripAccents(text: string): string {
  return text.normalize("NFD").replace(nonSpacingMarks, "");
}

interface NormalizerConfig {
  type?: unknown;
  normalizers?: unknown;
  clean_text?: unknown;
  handle_chinese_chars?: unknown;
  strip_accents?: unknown;
  lowercase?: unknown;
}

/**
 * Builds the normalizer a `tokenizer.json` describes: `BertNormalizer` (clean text → space CJK →
 * strip accents → lowercase, in the order of Hugging Face `tokenizers`), `Lowercase`, `StripAccents`,
 * `NFD`/`NFC`/`NFKD`/`NFKC`, `Strip` and `Sequence` of these; `null` is the identity.
 */
export function createTextNormalizer(config: unknown, where: string): TextNormalizer {
  if (config === null || config === undefined) return (text) => text;
  if (typeof config !== "object") throw unsupported(where, String(config));
  const normalizer = config as NormalizerConfig;
  switch (normalizer.type) {
    case "BertNormalizer": {
      const clean = normalizer.clean_text !== false;
      const chinese = normalizer.handle_chinese_chars !== false;
      const lowercase = normalizer.lowercase !== false;
      const strip = typeof normalizer.strip_accents === "boolean" ? normalizer.strip_accents : lowercase;
      return (text) => {
        let out = clean ? cleanText(text) : text;
        if (chinese) out = spaceCjk(out);
        if (strip) out = stripAccents(out);
        return lowercase ? out.toLowerCase() : out;
      };
    }
    case "Lowercase":
      return (text) => text.toLowerCase();
    case "StripAccents":
      return (text) => text.replace(nonSpacingMarks, "");
    case "NFD":
    case "NFC":
    case "NFKD":
    case "NFKC": {
      const form = normalizer.type;
      return (text) => text.normalize(form);
    }
    case "Strip":
      return (text) => text.trim();
    case "Sequence": {
      if (!Array.isArray(normalizer.normalizers)) throw unsupported(where, "Sequence without normalizers");
      const steps = normalizer.normalizers.map((step: unknown, index) => createTextNormalizer(step, `${where}.normalizers[${index}]`));
      return (text) => steps.reduce((current, step) => step(current), text);
    }
    default:
      throw unsupported(where, String(normalizer.type));
  }
}

function unsupported(where: string, type: string): SwitchyardError {
  return new SwitchyardError("invalid_config", `${where}: normalizer type ${type} is not supported (supported: BertNormalizer, Lowercase, StripAccents, NFD, NFC, NFKD, NFKC, Strip, Sequence)`);
}
