import { countOpenAITokens, type OpenAIEncoding } from "../core/openai-tokenizer.js";

// The text fields of a chat-completion chunk's delta that are billed as completion tokens. An unescaped
// `"content":"` can only be a key (quotes inside JSON strings are escaped).
const deltaText = /"(?:content|arguments|reasoning_content|refusal)"\s*:\s*"((?:[^"\\]|\\.)*)"/g;

/**
 * Counts the completion tokens a stream delivered to its client, for billing a stream whose usage never
 * came (cut by the upstream or the client, or an upstream that ignores `include_usage`). `see` keeps
 * only the delta texts (cheap: one regular-expression pass over what is forwarded); `tokens` counts them
 * at the end — by the target's OpenAI tokenizer when it is loaded, else one token per UTF-8 byte (an
 * upper bound for byte-level BPE tokenizers).
 */
export function createDeliveredTokenCounter(encoding: OpenAIEncoding | undefined): { see(text: string): void; tokens(): number } {
  const literals: string[] = [];
  return {
    see(text) {
      if (!text.includes('"')) return;
      for (const match of text.matchAll(deltaText)) if (match[1] !== undefined && match[1] !== "") literals.push(match[1]);
    },
    tokens() {
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
