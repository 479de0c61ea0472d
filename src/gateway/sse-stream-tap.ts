/** Token usage as OpenAI reports it in the last chunk of a stream asked with `include_usage`. */
export interface StreamUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  [key: string]: unknown;
}

/** Options for {@link createSseStreamTap}. */
export interface SseStreamTapOptions {
  /** Drop the usage-only chunk (`choices: []` with `usage`) — the client did not ask for it. */
  dropUsageChunk: boolean;
  /** Called with the usage when the usage-only chunk passes by. */
  onUsage?: (usage: StreamUsage) => void;
  /** Target id to put in every chunk's top-level `model` (as non-streamed answers get it). */
  model?: string;
  /**
   * Sees the bytes of the complete events being forwarded (to count what was delivered). The bytes are
   * the ones handed to the client: keep them, do not change them.
   */
  onForwardBytes?: (bytes: Uint8Array) => void;
  /** Sees the text of the complete events being forwarded (decodes every event: prefer `onForwardBytes`). */
  onForward?: (text: string) => void;
}

/** Incremental SSE pass-through: bytes in, bytes out, complete events only. */
export interface SseStreamTap {
  /** Feeds upstream bytes; returns the complete events to forward (possibly none). */
  push(chunk: Uint8Array): Uint8Array | undefined;
  /** Returns whatever trails the last event boundary once the upstream ends. */
  flush(): Uint8Array | undefined;
}

// Only events with an empty `choices` array can be the usage chunk; everything else is forwarded
// without being parsed. An unescaped `"model":` can only be a key (quotes inside JSON strings are
// escaped), and chat chunks have no nested `model` key, so it finds exactly the chunk's own model field.
const choicesKey = Buffer.from('"choices"');
const modelKey = Buffer.from('"model"');
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;

/**
 * Passes an OpenAI chat-completion SSE stream through, event by event: reports the usage of the
 * usage-only chunk that `stream_options.include_usage` adds and drops it when the client did not ask
 * for it, and names the target in each chunk's `model`. Everything else is forwarded unchanged.
 *
 * Per chunk the work is byte-level and allocates little (issue 19): the upstream's bytes are forwarded
 * as they came when they end on an event boundary and already name the target (no decode, no
 * re-encode); a differently named model is spliced in by bytes; only an event with an empty `choices`
 * array (the usage chunk, once per stream) is decoded and parsed.
 *
 * @example
 * const tap = createSseStreamTap({ dropUsageChunk: true, onUsage: (usage) => record(usage), model: "gpt-4o" });
 * for await (const chunk of upstream) { const out = tap.push(chunk); if (out) write(out); }
 */
export function createSseStreamTap(options: SseStreamTapOptions): SseStreamTap {
  const modelText = options.model === undefined ? undefined : JSON.stringify(options.model);
  const modelValue = modelText === undefined ? undefined : Buffer.from(modelText);
  let pending: Buffer | undefined;

  const forward = (bytes: Buffer): Uint8Array | undefined => {
    let kept: Buffer | undefined = bytes;
    // The usage chunk (once per stream) is the only event parsed.
    if (hasEmptyChoices(bytes)) kept = withoutUsageEvents(bytes, options);
    if (kept !== undefined && modelValue !== undefined) kept = withModel(kept, modelValue);
    if (kept === undefined) {
      options.onForward?.("");
      return undefined;
    }
    options.onForwardBytes?.(kept);
    options.onForward?.(kept.toString("utf8"));
    return kept;
  };

  return {
    push(chunk) {
      let bytes = asBuffer(chunk);
      if (pending !== undefined) {
        bytes = Buffer.concat([pending, bytes]);
        pending = undefined;
      }
      const end = lastEventEnd(bytes);
      if (end === 0) {
        pending = bytes.length === 0 ? undefined : bytes;
        return undefined;
      }
      if (end < bytes.length) pending = bytes.subarray(end);
      return forward(end === bytes.length ? bytes : bytes.subarray(0, end));
    },
    flush() {
      const rest = pending;
      pending = undefined;
      return rest === undefined || rest.length === 0 ? undefined : forward(rest);
    },
  };
}

function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Index just past the last blank line (`\n\n` or `\r\n\r\n`), or 0 when there is none. */
function lastEventEnd(bytes: Buffer): number {
  // From the last LF backwards: the first one that ends `\n\n` or `\r\n\r\n` (usually the chunk's last byte).
  for (let at = bytes.lastIndexOf(LF); at > 0; at = bytes.lastIndexOf(LF, at - 1)) {
    const before = bytes[at - 1];
    if (before === LF) return at + 1;
    if (before === CR && at >= 3 && bytes[at - 2] === LF && bytes[at - 3] === CR) return at + 1;
  }
  return 0;
}

function isJsonSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === LF || byte === CR;
}

/** Index of the first non-space byte at or after `from`. */
function skipSpace(bytes: Buffer, from: number): number {
  let at = from;
  while (isJsonSpace(bytes[at])) at++;
  return at;
}

/** Whether some `"choices"` key in the bytes holds an empty array (`"choices"\s*:\s*\[\s*\]`). */
function hasEmptyChoices(bytes: Buffer): boolean {
  for (let at = bytes.indexOf(choicesKey); at !== -1; at = bytes.indexOf(choicesKey, at + 1)) {
    let next = skipSpace(bytes, at + choicesKey.length);
    if (bytes[next] !== COLON) continue;
    next = skipSpace(bytes, next + 1);
    if (bytes[next] !== 0x5b) continue;
    next = skipSpace(bytes, next + 1);
    if (bytes[next] === 0x5d) return true;
  }
  return false;
}

/**
 * The bytes with every `"model": "…"` value replaced by `value` (a JSON string literal's bytes); the
 * same Buffer when every one already is `value` (the common case: no copy).
 */
function withModel(bytes: Buffer, value: Buffer): Buffer {
  let parts: Buffer[] | undefined;
  let copiedUpTo = 0;
  for (let at = bytes.indexOf(modelKey); at !== -1; at = bytes.indexOf(modelKey, at + 1)) {
    let start = skipSpace(bytes, at + modelKey.length);
    if (bytes[start] !== COLON) continue;
    start = skipSpace(bytes, start + 1);
    if (bytes[start] !== QUOTE) continue;
    const end = stringEnd(bytes, start);
    if (end === -1) continue;
    // bytes[start, end) is the old literal, quotes included.
    if (end - start === value.length && bytes.compare(value, 0, value.length, start, end) === 0) continue;
    parts ??= [];
    // Like the regular expression it mirrors, the key and the colon are rewritten as `"model":`.
    parts.push(bytes.subarray(copiedUpTo, at), modelColon, value);
    copiedUpTo = end;
    at = end - 1;
  }
  if (parts === undefined) return bytes;
  parts.push(bytes.subarray(copiedUpTo));
  return Buffer.concat(parts);
}

const modelColon = Buffer.from('"model":');

/** Index just past the closing quote of the JSON string starting at `start` (a quote), or -1. */
function stringEnd(bytes: Buffer, start: number): number {
  for (let at = start + 1; at < bytes.length; at++) {
    const byte = bytes[at];
    if (byte === BACKSLASH) at++;
    else if (byte === QUOTE) return at + 1;
  }
  return -1;
}

/**
 * Reports the usage of every usage-only event in the bytes (whole events) and, when the client did not
 * ask for it, leaves those events out; the same Buffer when nothing is left out, undefined when nothing
 * is left.
 */
function withoutUsageEvents(bytes: Buffer, options: SseStreamTapOptions): Buffer | undefined {
  let kept: Buffer[] | undefined;
  let copiedUpTo = 0;
  for (let start = 0; start < bytes.length; ) {
    const end = nextEventEnd(bytes, start);
    const event = bytes.subarray(start, end);
    const usage = hasEmptyChoices(event) ? usageOfEvent(event.toString("utf8")) : undefined;
    if (usage !== undefined) {
      options.onUsage?.(usage);
      if (options.dropUsageChunk) {
        kept ??= [];
        kept.push(bytes.subarray(copiedUpTo, start));
        copiedUpTo = end;
      }
    }
    start = end;
  }
  if (kept === undefined) return bytes;
  kept.push(bytes.subarray(copiedUpTo));
  const out = Buffer.concat(kept);
  return out.length === 0 ? undefined : out;
}

/** Index just past the first event boundary (`\r?\n\r?\n`) at or after `from`, or the end of the bytes. */
function nextEventEnd(bytes: Buffer, from: number): number {
  for (let at = bytes.indexOf(LF, from); at !== -1; at = bytes.indexOf(LF, at + 1)) {
    let next = at + 1;
    if (bytes[next] === CR) next++;
    if (bytes[next] === LF) return next + 1;
  }
  return bytes.length;
}

function usageOfEvent(event: string): StreamUsage | undefined {
  const data: string[] = [];
  for (const line of event.split(/\r?\n/)) {
    if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
  }
  try {
    const chunk = JSON.parse(data.join("\n")) as { choices?: unknown; usage?: unknown };
    const { choices, usage } = chunk;
    return Array.isArray(choices) && choices.length === 0 && usage !== null && typeof usage === "object" ? (usage as StreamUsage) : undefined;
  } catch {
    return undefined;
  }
}
