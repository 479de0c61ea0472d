/**
 * The text of a dataset prompt as a client would send it. RouterBench stores each prompt as a Python
 * list literal of strings (`['first turn', 'second turn']`, the `repr()` of the original list); this
 * returns its elements joined by `"\n"`. Any other string (or a list literal that does not parse) is
 * returned trimmed and otherwise unchanged.
 *
 * @example
 * normalizePromptText("['Is water wet?\\nAnswer:']"); // "Is water wet?\nAnswer:"
 * normalizePromptText("  plain text ");              // "plain text"
 */
export function normalizePromptText(raw: string): string {
  const text = raw.trim();
  if (!text.startsWith("[") || !text.endsWith("]")) return text;
  const elements = parsePythonStringList(text);
  return elements === undefined ? text : elements.join("\n").trim();
}

const simpleEscapes: Record<string, string> = {
  "\n": "", // backslash-newline is a line continuation
  "\\": "\\",
  "'": "'",
  '"': '"',
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
};

/** Parses `['a', "b"]` (Python string literals, optional trailing comma); `undefined` when it is not one. */
function parsePythonStringList(text: string): string[] | undefined {
  const elements: string[] = [];
  let position = skipSpace(text, 1);
  while (text[position] !== "]") {
    const element = parsePythonString(text, position);
    if (element === undefined) return undefined;
    elements.push(element.value);
    position = skipSpace(text, element.end);
    if (text[position] === ",") position = skipSpace(text, position + 1);
    else if (text[position] !== "]") return undefined;
  }
  return position === text.length - 1 ? elements : undefined;
}

function skipSpace(text: string, position: number): number {
  let at = position;
  while (at < text.length && /\s/.test(text[at] ?? "")) at++;
  return at;
}

/** One single- or double-quoted Python string literal starting at `start` (no prefixes, no triple quotes). */
function parsePythonString(text: string, start: number): { value: string; end: number } | undefined {
  const quote = text[start];
  if (quote !== "'" && quote !== '"') return undefined;
  let value = "";
  let position = start + 1;
  while (position < text.length) {
    const char = text[position] ?? "";
    if (char === quote) return { value, end: position + 1 };
    if (char === "\n") return undefined;
    if (char !== "\\") {
      value += char;
      position++;
      continue;
    }
    const next = text[position + 1];
    if (next === undefined) return undefined;
    const simple = simpleEscapes[next];
    if (simple !== undefined) {
      value += simple;
      position += 2;
      continue;
    }
    const hexLength = next === "x" ? 2 : next === "u" ? 4 : next === "U" ? 8 : 0;
    if (hexLength > 0) {
      const hex = text.slice(position + 2, position + 2 + hexLength);
      if (hex.length !== hexLength || !/^[0-9a-fA-F]+$/.test(hex)) return undefined;
      const codePoint = Number.parseInt(hex, 16);
      if (codePoint > 0x10ffff) return undefined;
      value += String.fromCodePoint(codePoint);
      position += 2 + hexLength;
      continue;
    }
    const octal = /^[0-7]{1,3}/.exec(text.slice(position + 1, position + 4));
    if (octal) {
      value += String.fromCodePoint(Number.parseInt(octal[0], 8));
      position += 1 + octal[0].length;
      continue;
    }
    // Python keeps unknown escapes (`\d`) as written.
    value += `\\${next}`;
    position += 2;
  }
  return undefined;
}
