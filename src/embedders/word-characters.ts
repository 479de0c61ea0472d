/** Class bits of a code point: a letter (`\p{L}`) and/or a number (`\p{N}`). */
export const LETTER = 1;
export const NUMBER = 2;

const letterPattern = /^\p{L}$/u;
const numberPattern = /^\p{N}$/u;

/** Class bits of every UTF-16 code unit outside the surrogate range (built on first use, 64 KB). */
let basicPlane: Uint8Array | undefined;

function classOfString(character: string): number {
  return (letterPattern.test(character) ? LETTER : 0) | (numberPattern.test(character) ? NUMBER : 0);
}

/** The class table of the basic multilingual plane (surrogate code units are left 0). */
export function basicPlaneClasses(): Uint8Array {
  if (!basicPlane) {
    const table = new Uint8Array(0x10000);
    for (let code = 0; code < 0x10000; code++) if (code < 0xd800 || code > 0xdfff) table[code] = classOfString(String.fromCharCode(code));
    basicPlane = table;
  }
  return basicPlane;
}

/**
 * Scans `text` for the runs the regular expression `/[\p{L}\p{N}]+/gu` matches (code point by code
 * point, as its `u` flag does), without building match objects or substrings: an embedder's
 * tokenizer can then hash or look words up straight from the text, so embedding a prompt allocates
 * almost nothing. `classAt` and `widthAt` describe the code point at a position.
 */
export class WordCharacterScanner {
  private readonly table = basicPlaneClasses();
  /** Width (1 or 2 code units) of the code point the last {@link classAt} call read. */
  width = 1;

  /** Class bits of the code point starting at `index` (sets {@link width}). */
  classAt(text: string, index: number): number {
    const code = text.charCodeAt(index);
    if (code < 0xd800 || code > 0xdfff) {
      this.width = 1;
      return this.table[code]!;
    }
    const next = index + 1 < text.length ? text.charCodeAt(index + 1) : 0;
    if (code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      this.width = 2;
      return classOfString(text.slice(index, index + 2));
    }
    // A lone surrogate is neither a letter nor a number.
    this.width = 1;
    return 0;
  }

  /** End (exclusive) of the letter/number run starting at `start` (`start` itself when there is none). */
  runEnd(text: string, start: number, classes = LETTER | NUMBER): number {
    let index = start;
    while (index < text.length && (this.classAt(text, index) & classes) !== 0) index += this.width;
    return index;
  }
}

let shared: WordCharacterScanner | undefined;

/**
 * The scanner every tokenizer uses, so its character table is built once per process (on first use).
 * Its `width` is state of the last scan: callers read it right after `runEnd`, and tokenizing is
 * synchronous, so calls never interleave.
 */
export function sharedWordCharacterScanner(): WordCharacterScanner {
  shared ??= new WordCharacterScanner();
  return shared;
}
