/**
 * The deepest nesting of arrays and objects in JSON text, found by one pass over the raw UTF-8 bytes
 * that stops as soon as `limit` is exceeded (returns `limit + 1` then). Brackets inside strings do not
 * count (a string ends at an unescaped `"`). It runs before `JSON.parse`, so a body nested 500,000 deep
 * is refused after reading 65 bytes of it instead of after building 500,000 arrays: microseconds, not
 * half a second of CPU. For invalid JSON the answer is an upper bound, which is all a refusal needs —
 * the parser reports the syntax error of a body that passes.
 */
export function jsonDepthOf(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index] as number;
    if (inString) {
      if (byte === 0x5c) index++;
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return deepest;
}

/** {@link jsonDepthOf} over a string (the fetch path decodes before parsing). */
export function jsonTextDepthOf(text: string, limit: number): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 0x5c) index++;
      else if (code === 0x22) inString = false;
      continue;
    }
    if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return deepest;
}
