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
  /** Sees the text of the complete events being forwarded (to count what was delivered). */
  onForward?: (text: string) => void;
}

/** Incremental SSE pass-through: bytes in, bytes out, complete events only. */
export interface SseStreamTap {
  /** Feeds upstream bytes; returns the complete events to forward (possibly none). */
  push(chunk: Uint8Array): Uint8Array | undefined;
  /** Returns whatever trails the last event boundary once the upstream ends. */
  flush(): Uint8Array | undefined;
}

// Only chunks with an empty `choices` array can be the usage chunk; everything else is forwarded
// without being parsed.
const emptyChoices = /"choices"\s*:\s*\[\s*\]/;
const eventSeparator = /(\r?\n\r?\n)/;
// An unescaped `"model":` can only be a key (quotes inside JSON strings are escaped), and chat chunks
// have no nested `model` key, so this finds exactly the chunk's own model field.
const modelField = /"model"\s*:\s*"(?:[^"\\]|\\.)*"/g;

/**
 * Passes an OpenAI chat-completion SSE stream through, event by event: reports the usage of the
 * usage-only chunk that `stream_options.include_usage` adds and drops it when the client did not ask
 * for it, and names the target in each chunk's `model`. Everything else is forwarded unchanged
 * (re-encoded from the same UTF-8 text), so any OpenAI client parses it as it would the upstream's.
 *
 * @example
 * const tap = createSseStreamTap({ dropUsageChunk: true, onUsage: (usage) => record(usage), model: "gpt-4o" });
 * for await (const chunk of upstream) { const out = tap.push(chunk); if (out) write(out); }
 */
export function createSseStreamTap(options: SseStreamTapOptions): SseStreamTap {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  const modelValue = options.model === undefined ? undefined : `"model":${JSON.stringify(options.model)}`;
  let pending = "";

  const forward = (text: string): Uint8Array | undefined => {
    let kept = emptyChoices.test(text) ? filterEvents(text, options) : text;
    if (modelValue !== undefined) kept = kept.replace(modelField, modelValue);
    options.onForward?.(kept);
    return kept.length === 0 ? undefined : encoder.encode(kept);
  };

  return {
    push(chunk) {
      pending += decoder.decode(chunk, { stream: true });
      const end = lastEventEnd(pending);
      if (end === 0) return undefined;
      const complete = pending.slice(0, end);
      pending = pending.slice(end);
      return forward(complete);
    },
    flush() {
      const rest = pending + decoder.decode();
      pending = "";
      return rest.length === 0 ? undefined : forward(rest);
    },
  };
}

/** Index just past the last blank line (`\n\n` or `\r\n\r\n`), or 0 when there is none. */
function lastEventEnd(text: string): number {
  const lf = text.lastIndexOf("\n\n");
  const crlf = text.lastIndexOf("\r\n\r\n");
  return Math.max(lf === -1 ? 0 : lf + 2, crlf === -1 ? 0 : crlf + 4);
}

function filterEvents(text: string, options: SseStreamTapOptions): string {
  const parts = text.split(eventSeparator);
  let kept = "";
  for (let index = 0; index < parts.length; index += 2) {
    const event = parts[index] ?? "";
    const separator = parts[index + 1] ?? "";
    const usage = emptyChoices.test(event) ? usageOfEvent(event) : undefined;
    if (usage !== undefined) {
      options.onUsage?.(usage);
      if (options.dropUsageChunk) continue;
    }
    kept += event + separator;
  }
  return kept;
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
