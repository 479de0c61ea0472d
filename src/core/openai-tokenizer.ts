/** The byte-pair encodings OpenAI's chat models use. */
export type OpenAIEncoding = "o200k_base" | "cl100k_base";

/** Every encoding {@link openAIEncodingOf} can name. */
export const openAIEncodings: readonly OpenAIEncoding[] = ["o200k_base", "cl100k_base"];

/**
 * The encoding of an OpenAI model name (the name sent upstream): `o200k_base` for GPT-4o, GPT-4.1,
 * GPT-4.5, GPT-5, the o-series and chatgpt-4o; `cl100k_base` for GPT-4 and GPT-3.5; undefined for
 * every other family (their tokenizers are not OpenAI's, so the gateway uses its byte bound there).
 */
export function openAIEncodingOf(model: string): OpenAIEncoding | undefined {
  const name = model.toLowerCase().replace(/^openai\//, "");
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o[1-9](-|$)|chatgpt-4o|gpt-oss)/.test(name)) return "o200k_base";
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/.test(name)) return "cl100k_base";
  return undefined;
}

/** A target as far as its tokenizer goes. */
export interface TokenizedTarget {
  id: string;
  upstreamModel?: string;
  /** The target's OpenAI encoding, `none` for another family (default: from the model name). */
  tokenizer?: OpenAIEncoding | "none";
}

/** The encoding that counts a target's prompts, if it is an OpenAI-family model. */
export function encodingOfTarget(target: TokenizedTarget): OpenAIEncoding | undefined {
  if (target.tokenizer === "none") return undefined;
  if (target.tokenizer !== undefined) return target.tokenizer;
  // Asked several times per request: the model-name match is made once per target object.
  const known = encodingByTarget.get(target);
  if (known !== undefined) return known ?? undefined;
  const encoding = openAIEncodingOf(target.upstreamModel ?? target.id);
  encodingByTarget.set(target, encoding ?? null);
  return encoding;
}

const encodingByTarget = new WeakMap<TokenizedTarget, OpenAIEncoding | null>();

type CountTokens = (text: string) => number;

const counters = new Map<OpenAIEncoding, CountTokens>();
const loading = new Map<OpenAIEncoding, Promise<CountTokens>>();

/**
 * Loads an encoding of `gpt-tokenizer` (imported on first use: the rank tables take ~1 s to load,
 * which `switchyard --help` and runs without OpenAI targets must not pay). Chosen over `js-tiktoken`
 * by measured speed (`benchmarks/tokenizer-speed.ts`: ~3.6× the throughput, same counts).
 */
export function loadOpenAITokenizer(encoding: OpenAIEncoding): Promise<CountTokens> {
  const ready = counters.get(encoding);
  if (ready !== undefined) return Promise.resolve(ready);
  let pending = loading.get(encoding);
  if (pending === undefined) {
    pending = (async () => {
      const module = encoding === "o200k_base" ? await import("gpt-tokenizer/encoding/o200k_base") : await import("gpt-tokenizer/encoding/cl100k_base");
      // Text that spells a special token (`<|endoftext|>`) is counted as the text it is, not refused.
      const options = { disallowedSpecial: new Set<string>() };
      const count: CountTokens = (text) => module.countTokens(text, options);
      counters.set(encoding, count);
      return count;
    })();
    loading.set(encoding, pending);
  }
  return pending;
}

/** Tokens of `text` in `encoding`, or undefined while the encoding is not loaded (see {@link loadOpenAITokenizer}). */
export function countOpenAITokens(text: string, encoding: OpenAIEncoding): number | undefined {
  return counters.get(encoding)?.(text);
}
