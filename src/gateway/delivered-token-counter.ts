import { countOpenAITokens, type OpenAIEncoding } from "../core/openai-tokenizer.js";

// The text fields of a chat-completion chunk's delta that are billed as completion tokens. An unescaped
// `"content":"` can only be a key (quotes inside JSON strings are escaped).
const deltaText = /"(?:content|arguments|reasoning_content|refusal)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

// Forwarded chunks kept by reference before their delta texts are extracted in one pass: a typical
// stream (tens of events) is never looked at, a long one is folded every this many chunks or bytes so
// what is held stays bounded by the answer's text, as it was when every chunk was scanned at once.
const foldEveryChunks = 256;
const foldEveryBytes = 256 * 1024;

/** Counts what a stream delivered to its client (see {@link createDeliveredTokenCounter}). */
export interface DeliveredTokenCounter {
  /** Sees forwarded bytes (complete SSE events); they are kept by reference, not copied: do not change them. */
  seeBytes(bytes: Uint8Array): void;
  /** Sees forwarded text (complete SSE events). */
  see(text: string): void;
  /** Completion tokens in the delta texts seen so far. */
  tokens(): number;
}

/**
 * Counts the completion tokens a stream delivered to its client, for billing a stream whose usage never
 * came (cut by the upstream or the client, or an upstream that ignores `include_usage`). Seeing a chunk
 * costs nothing per chunk (issue 19: usage almost always comes, and then nothing is counted): the
 * forwarded bytes are kept by reference, and their delta texts are extracted in one regular-expression
 * pass when `tokens` is asked for, or every few hundred chunks of a long stream. `tokens` counts the
 * texts by the target's OpenAI tokenizer when it is loaded, else one token per UTF-8 byte (an upper
 * bound for byte-level BPE tokenizers). The count is the same whenever the extraction runs: the chunks
 * are complete events, and the tokens are counted text by text.
 */
export function createDeliveredTokenCounter(encoding: OpenAIEncoding | undefined): DeliveredTokenCounter {
  const literals: string[] = [];
  let held: Uint8Array[] = [];
  let heldBytes = 0;
  const extract = (text: string) => {
    if (!text.includes('"')) return;
    for (const match of text.matchAll(deltaText)) if (match[1] !== undefined && match[1] !== "") literals.push(match[1]);
  };
  const fold = () => {
    if (held.length === 0) return;
    const chunks = held;
    held = [];
    heldBytes = 0;
    // One decode per chunk: chunks are whole events, so none splits a character.
    for (const chunk of chunks) extract(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("utf8"));
  };
  return {
    seeBytes(bytes) {
      held.push(bytes);
      heldBytes += bytes.byteLength;
      if (held.length >= foldEveryChunks || heldBytes >= foldEveryBytes) fold();
    },
    see(text) {
      fold();
      extract(text);
    },
    tokens() {
      fold();
      let tokens = 0;
      for (const literal of literals) {
        let value: string;
        try {
          value = JSON.parse(`"${literal}"`) as string;
        } catch {
          value = literal;
        }
        tokens += (encoding === undefined ? undefined : countOpenAITokens(value, encoding)) ?? Buffer.byteLength(value);
      }
      return tokens;
    },
  };
}
