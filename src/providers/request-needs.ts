import { z } from "zod";
import type { ChatMessage } from "../core/query.js";
import { countOpenAITokens, encodingOfTarget, type OpenAIEncoding, type TokenizedTarget } from "../core/openai-tokenizer.js";
import { estimateTokens, estimateTokensOfLength } from "../core/tokens.js";

/**
 * Schema of a target's declared capabilities. Every field is optional: a capability that is not
 * declared counts as present (a target is excluded only for what it is declared not to do), so a
 * plain config keeps working and a text-only model is marked with `vision: false`.
 */
export const targetCapabilitiesSchema = z
  .object({
    tools: z.boolean().optional(),
    /** `response_format` json_object / json_schema. */
    jsonMode: z.boolean().optional(),
    /** Image inputs. */
    vision: z.boolean().optional(),
  })
  .strict();

/** What a target is declared to support. */
export type TargetCapabilities = z.infer<typeof targetCapabilitiesSchema>;

/** What a chat request needs of the target that serves it. */
export interface RequestNeeds {
  /** Estimated prompt tokens: message text, tool schemas, and a flat allowance per image. */
  promptTokens: number;
  /**
   * An upper bound on the prompt tokens any byte-level BPE tokenizer (OpenAI's, Llama 3's, …) can bill:
   * every token covers at least one UTF-8 byte, so the bytes of everything billed as prompt (message
   * text, names, tool calls, tool and response-format schemas) plus {@link tokensPerMessageBound} per
   * message, {@link replyPrimingTokens}, and {@link imageTokenBound} per image. The budget reservation
   * uses it (or the exact count, see {@link exactPromptTokens}); about 4× the real count on English.
   */
  promptTokenBound: number;
  /** The texts the bound counts (for {@link exactPromptTokens}). */
  promptPieces: string[];
  /** Messages in the request. */
  messageCount: number;
  /** Images in the request. */
  imageCount: number;
  /** `n`: answers (choices) asked for, each billed (default 1). */
  choices: number;
  /** `max_completion_tokens` / `max_tokens` when given (the smaller when both are). */
  maxOutputTokens: number | undefined;
  tools: boolean;
  jsonMode: boolean;
  vision: boolean;
}

/**
 * Tokens counted per image: OpenAI bills a 1024×1024 high-detail image at 765 tokens; a flat upper-ish
 * figure keeps the estimate cheap and on the safe side for context-window checks.
 */
export const tokensPerImage = 800;

/**
 * Most prompt tokens one image can cost for the budget bound: OpenAI's high-detail rule (85 + 170 per
 * 512-px tile, an image scaled to at most 768 × 2048 px has at most 8 tiles) gives 1,445.
 */
export const imageTokenBound = 1_445;
/** Chat-format tokens per message (start, role, separator, end; +1 with `name`): OpenAI documents 3–4. */
export const tokensPerMessageBound = 4;
/** Tokens that prime the reply (`<|start|>assistant<|message|>`). */
export const replyPrimingTokens = 3;

function imageCount(messages: readonly ChatMessage[]): number {
  let images = 0;
  for (const message of messages) {
    if (!Array.isArray(message.content)) continue;
    for (const part of message.content) {
      const type = (part as { type?: unknown } | null)?.type;
      if (type === "image_url" || type === "input_image") images++;
    }
  }
  return images;
}

/** Every text of a chat request that upstreams bill as prompt tokens (images aside). */
function promptPiecesOf(body: Readonly<Record<string, unknown>>, messages: readonly ChatMessage[]): string[] {
  const pieces: string[] = [];
  for (const message of messages) {
    const { content, name, tool_calls: toolCalls, tool_call_id: toolCallId, role } = message as ChatMessage & Record<string, unknown>;
    if (typeof role === "string") pieces.push(role);
    if (typeof content === "string") pieces.push(content);
    else if (Array.isArray(content)) {
      for (const part of content) {
        const text = (part as { text?: unknown } | null)?.text;
        if (typeof text === "string") pieces.push(text);
      }
    }
    if (typeof name === "string") pieces.push(name);
    if (typeof toolCallId === "string") pieces.push(toolCallId);
    if (toolCalls !== undefined && toolCalls !== null) pieces.push(JSON.stringify(toolCalls));
  }
  for (const field of ["tools", "functions", "response_format", "tool_choice"] as const) {
    const value = body[field];
    if (value !== undefined && value !== null && typeof value === "object") pieces.push(JSON.stringify(value));
  }
  return pieces;
}

/** `promptTextOf(messages).length`, without building the text (the estimate needs only its length). */
function promptTextLengthOf(messages: readonly ChatMessage[]): number {
  let length = 0;
  let parts = 0;
  for (const message of messages) {
    const { content } = message;
    if (typeof content === "string") {
      length += content.length;
      parts++;
    } else if (Array.isArray(content)) {
      for (const part of content) {
        if (part && typeof part === "object" && (part as { type?: unknown }).type === "text") {
          const text = (part as { text?: unknown }).text;
          if (typeof text === "string") {
            length += text.length;
            parts++;
          }
        }
      }
    }
  }
  // The text joins its parts with one "\n" each.
  return parts === 0 ? 0 : length + parts - 1;
}

/** A positive finite number (module level: a closure per call costs µs under tsx's keep-names). */
function isPositiveNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

/** The smaller of two optional positive integers. */
function smallerOf(a: unknown, b: unknown): number | undefined {
  const valid = isPositiveNumber;
  if (valid(a) && valid(b)) return Math.min(a, b);
  return valid(a) ? a : valid(b) ? b : undefined;
}

/** Reads a chat-completion body's needs (tolerant: a field of the wrong type counts as absent). */
export function requestNeedsOf(body: Readonly<Record<string, unknown>>): RequestNeeds {
  const messages = Array.isArray(body.messages) ? (body.messages as ChatMessage[]) : [];
  const tools = (Array.isArray(body.tools) && body.tools.length > 0) || (Array.isArray(body.functions) && body.functions.length > 0);
  const images = imageCount(messages);
  const toolTokens = tools ? estimateTokens(JSON.stringify(body.tools ?? body.functions)) : 0;
  const format = (body.response_format as { type?: unknown } | null | undefined)?.type;
  const promptPieces = promptPiecesOf(body, messages);
  let promptBytes = 0;
  for (const piece of promptPieces) promptBytes += Buffer.byteLength(piece);
  const n = body.n;
  return {
    promptTokens: estimateTokensOfLength(promptTextLengthOf(messages)) + toolTokens + images * tokensPerImage,
    promptTokenBound: promptBytes + messages.length * tokensPerMessageBound + replyPrimingTokens + images * imageTokenBound,
    promptPieces,
    messageCount: messages.length,
    imageCount: images,
    choices: typeof n === "number" && Number.isSafeInteger(n) && n > 1 ? n : 1,
    maxOutputTokens: smallerOf(body.max_completion_tokens, body.max_tokens),
    tools,
    jsonMode: format === "json_object" || format === "json_schema",
    vision: images > 0,
  };
}

/**
 * The prompt tokens of a request counted by an OpenAI encoding (the same pieces and allowances as
 * {@link RequestNeeds.promptTokenBound}), or undefined while that encoding is not loaded.
 */
export function exactPromptTokens(needs: RequestNeeds, encoding: OpenAIEncoding): number | undefined {
  let tokens = needs.messageCount * tokensPerMessageBound + replyPrimingTokens + needs.imageCount * imageTokenBound;
  for (const piece of needs.promptPieces) {
    const count = countOpenAITokens(piece, encoding);
    if (count === undefined) return undefined;
    tokens += count;
  }
  return tokens;
}

const exactCounts = new WeakMap<RequestNeeds, Map<OpenAIEncoding, number>>();

/** {@link exactPromptTokens}, counted once per request and encoding. */
export function exactPromptTokensOf(needs: RequestNeeds, encoding: OpenAIEncoding): number | undefined {
  let counts = exactCounts.get(needs);
  const known = counts?.get(encoding);
  if (known !== undefined) return known;
  const counted = exactPromptTokens(needs, encoding);
  if (counted === undefined) return undefined;
  if (counts === undefined) {
    counts = new Map();
    exactCounts.set(needs, counts);
  }
  counts.set(encoding, counted);
  return counted;
}

/** A target as the needs filter sees it. */
export interface CapableTarget extends TokenizedTarget {
  contextWindow: number;
  capabilities?: TargetCapabilities;
}

/**
 * Prompt tokens for the context-window check: the characters ÷ 4 estimate, replaced by the target's
 * OpenAI tokenizer count (when loaded) whenever the estimate cannot settle the question — within 30% of
 * the window either way — so the tokenizer runs only for prompts near a window.
 */
function promptTokensForWindow(target: CapableTarget, needs: RequestNeeds): number {
  const output = needs.maxOutputTokens ?? 0;
  const estimate = needs.promptTokens + output;
  if (estimate < target.contextWindow * 0.7 || estimate > target.contextWindow * 1.3) return needs.promptTokens;
  const encoding = encodingOfTarget(target);
  return (encoding === undefined ? undefined : exactPromptTokensOf(needs, encoding)) ?? needs.promptTokens;
}

/** Why `target` cannot serve a request with `needs` (empty when it can). */
export function unmetNeedsOf(target: CapableTarget, needs: RequestNeeds): string[] {
  const reasons: string[] = [];
  const required = promptTokensForWindow(target, needs) + (needs.maxOutputTokens ?? 0);
  if (required > target.contextWindow) reasons.push(`context window ${target.contextWindow} < ~${required} tokens`);
  if (needs.tools && target.capabilities?.tools === false) reasons.push("no tool calls");
  if (needs.jsonMode && target.capabilities?.jsonMode === false) reasons.push("no JSON mode");
  if (needs.vision && target.capabilities?.vision === false) reasons.push("no image input");
  return reasons;
}

/**
 * Splits targets into those that can serve the request and those that cannot, with reasons — applied
 * before routing so the router only ranks targets able to answer.
 */
export function filterTargetsByNeeds<T extends CapableTarget>(targets: readonly T[], needs: RequestNeeds): { able: T[]; unable: Map<string, string[]> } {
  const able: T[] = [];
  const unable = new Map<string, string[]>();
  for (const target of targets) {
    const reasons = unmetNeedsOf(target, needs);
    if (reasons.length === 0) able.push(target);
    else unable.set(target.id, reasons);
  }
  return { able, unable };
}
